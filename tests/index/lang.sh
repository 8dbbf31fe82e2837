#!/bin/sh
# lang.sh VIGIL — `vigil index rootfs:DIR` on a root filesystem assembled in a temp dir from
# the shared language fixtures ($VIGIL_SHARED/fixtures/lang: Python metadata and a zipped egg,
# npm lockfiles and node_modules, Go binaries, jars and a war) plus a gemspec and a dpkg
# database: every language package must be listed with its purl, its file as package_db and
# no distribution; the deb package with its purl and the distribution; a lockfile beside a
# node_modules tree must yield to it; broken files must be skipped with a warning on stderr.
set -eu
vigil=$1
shared=${VIGIL_SHARED:-$(cd "$(dirname "$0")/../../../shared" && pwd)}
fx=$shared/fixtures/lang
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/rootfs

put() { # put SRC DEST [MODE]
    mkdir -p "$(dirname "$root/$2")"
    cp "$1" "$root/$2"
    chmod "${3:-644}" "$root/$2"
}
text() { # text DEST CONTENT
    mkdir -p "$(dirname "$root/$1")"
    printf '%s' "$2" >"$root/$1"
}

text etc/os-release 'ID=debian
VERSION_ID="12"
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
'
text var/lib/dpkg/status 'Package: openssl
Status: install ok installed
Architecture: amd64
Version: 3.0.11-1~deb12u2
'
site=usr/lib/python3/dist-packages
put "$fx/python/zipp-3.12.1.METADATA" "$site/zipp-3.12.1.dist-info/METADATA"
put "$fx/python/unidecode-egg-info.PKG-INFO" "$site/Unidecode-0.4.1.egg-info/PKG-INFO"
put "$fx/python/distlib-0.3.1-py3.9.egg-info" "$site/distlib-0.3.1-py3.9.egg-info"
put "$fx/python/kitchen-1.2.6-py2.7.egg" "usr/lib/python2.7/site-packages/kitchen-1.2.6-py2.7.egg"
# A project checkout: its lockfile alone is the inventory.
put "$fx/npm/package-lock_v3.json" srv/app/package-lock.json
# An installed project: node_modules wins over the lockfile beside it.
put "$fx/npm/package-lock_v2.json" srv/site/package-lock.json
text srv/site/node_modules/express/package.json '{"name":"express","version":"4.18.2"}'
text srv/site/node_modules/@types/node/package.json '{"name":"@types/node","version":"20.1.0"}'
text srv/site/node_modules/broken/package.json '{"name": {{name}}, "version": "1.0.0"}'
put "$fx/go/test.elf" usr/local/bin/gotest 755
put "$fx/go/main-version-via-ldflags.elf" usr/local/bin/goldflags 755
put "$fx/go/test.elf" usr/share/doc/not-executable.elf 644
put "$fx/go/broken_elf" usr/local/bin/broken 755
put "$fx/java/jars/gradle.war" usr/local/tomcat/webapps/gradle.war
put "$fx/java/jars/nested.jar" opt/app/lib/nested.jar
put "$fx/java/jars/claircore-inner.jar" opt/app/lib/inner.jar
text opt/app/lib/broken.jar 'not a zip'
text usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec '# stub: rake 13.0.6 ruby lib
Gem::Specification.new do |s|
  s.name = "rake".freeze
  s.version = "13.0.6"
end
'

"$vigil" index "rootfs:$root" >"$tmp/index.json" 2>"$tmp/stderr" || {
    cat "$tmp/stderr"
    echo "FAIL: vigil index failed"
    exit 1
}

/usr/bin/python3 - "$tmp/index.json" "$tmp/stderr" <<'EOF'
import json, sys

rep = json.load(open(sys.argv[1]))
assert rep["state"] == "IndexFinished", rep.get("err")
got = set()
for pid, p in rep["packages"].items():
    env = rep["environments"][pid][0]
    got.add((p["format"], p["name"], p["version"], p.get("purl", ""), env["package_db"],
             env["distribution_id"]))

site = "usr/lib/python3/dist-packages/"
go1 = "usr/local/bin/gotest"
war = "usr/local/tomcat/webapps/gradle.war"
nested = "opt/app/lib/nested.jar"
lock = "srv/app/package-lock.json"
want = {
    ("dpkg", "openssl", "3.0.11-1~deb12u2",
     "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
     "var/lib/dpkg/status", "1"),
    ("python", "zipp", "3.12.1", "pkg:pypi/zipp@3.12.1", site + "zipp-3.12.1.dist-info/METADATA", ""),
    ("python", "unidecode", "0.4.1", "pkg:pypi/unidecode@0.4.1",
     site + "Unidecode-0.4.1.egg-info/PKG-INFO", ""),
    ("python", "distlib", "0.3.1", "pkg:pypi/distlib@0.3.1", site + "distlib-0.3.1-py3.9.egg-info", ""),
    ("python", "kitchen", "1.2.6", "pkg:pypi/kitchen@1.2.6",
     "usr/lib/python2.7/site-packages/kitchen-1.2.6-py2.7.egg", ""),
    ("npm", "express", "4.18.2", "pkg:npm/express@4.18.2",
     "srv/site/node_modules/express/package.json", ""),
    ("npm", "@types/node", "20.1.0", "pkg:npm/%40types/node@20.1.0",
     "srv/site/node_modules/@types/node/package.json", ""),
    ("go", "github.com/aquasecurity/go-pep440-version", "v0.0.0-20210121094942-22b2f8951d46",
     "pkg:golang/github.com/aquasecurity/go-pep440-version@v0.0.0-20210121094942-22b2f8951d46",
     go1, ""),
    ("go", "github.com/aquasecurity/go-version", "v0.0.0-20210121072130-637058cfe492",
     "pkg:golang/github.com/aquasecurity/go-version@v0.0.0-20210121072130-637058cfe492", go1, ""),
    ("go", "golang.org/x/xerrors", "v0.0.0-20200804184101-5ec99f83aff1",
     "pkg:golang/golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1", go1, ""),
    ("go", "stdlib", "v1.15.2", "pkg:golang/stdlib@v1.15.2", go1, ""),
    ("go", "github.com/aquasecurity/test", "v1.0.0", "pkg:golang/github.com/aquasecurity/test@v1.0.0",
     "usr/local/bin/goldflags", ""),
    ("go", "stdlib", "v1.22.1", "pkg:golang/stdlib@v1.22.1", "usr/local/bin/goldflags", ""),
    ("java", "commons-dbcp:commons-dbcp", "1.4", "pkg:maven/commons-dbcp/commons-dbcp@1.4", war, ""),
    ("java", "commons-pool:commons-pool", "1.6", "pkg:maven/commons-pool/commons-pool@1.6", war, ""),
    ("java", "log4j:log4j", "1.2.17", "pkg:maven/log4j/log4j@1.2.17", war, ""),
    ("java", "org.apache.commons:commons-compress", "1.19",
     "pkg:maven/org.apache.commons/commons-compress@1.19", war, ""),
    ("java", "test:nested", "0.0.1", "pkg:maven/test/nested@0.0.1", nested, ""),
    ("java", "test:nested2", "0.0.2", "pkg:maven/test/nested2@0.0.2", nested, ""),
    ("java", "test:nested3", "0.0.3", "pkg:maven/test/nested3@0.0.3", nested, ""),
    ("gem", "rake", "13.0.6", "pkg:gem/rake@13.0.6",
     "usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec", ""),
}
# The v3 lockfile of the checkout: 31 distinct name@version (npm ls lists 33 install paths).
lock_pkgs = {g for g in got if g[4] == lock}
assert len(lock_pkgs) == 31, sorted(lock_pkgs)
for g in lock_pkgs:
    assert g[0] == "npm" and g[3].startswith("pkg:npm/") and g[5] == "", g
assert ("npm", "@babel/helper-string-parser", "7.19.4",
        "pkg:npm/%40babel/helper-string-parser@7.19.4", lock, "") in lock_pkgs
rest = got - lock_pkgs
if rest != want:
    print("FAIL: packages differ")
    for x in sorted(want - rest):
        print("  missing:", x)
    for x in sorted(rest - want):
        print("  extra:  ", x)
    sys.exit(1)
assert not any(g[4] == "srv/site/package-lock.json" for g in got), "shadowed lockfile listed"
err = open(sys.argv[2]).read()
for w in ["srv/site/node_modules/broken/package.json:1:", "opt/app/lib/broken.jar: not a zip"]:
    assert "vigil: warning: layer " in err and w in err, (w, err)
assert "usr/local/bin/broken" not in err, err  # not an ELF worth a word
print("lang: %d packages, %d warnings: ok" % (len(got), err.count("vigil: warning:")))
EOF
