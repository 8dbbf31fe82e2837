#!/bin/sh
# oracle_maven.sh WORKDIR — compiles OracleMaven.java against Debian's maven-artifact jar (the
# ComparableVersion of Maven 3.8) once into WORKDIR, then filters "A B" lines on stdin to
# <, = or > in a single JVM. MAVEN_ARTIFACT_JAR overrides the jar.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
work=$1
jar=${MAVEN_ARTIFACT_JAR:-}
if [ -z "$jar" ]; then
    for j in /usr/share/maven/lib/maven-artifact-3.x.jar /usr/share/java/maven-artifact-3.x.jar \
        /usr/share/maven/lib/maven-artifact*.jar /usr/share/java/maven-artifact*.jar; do
        if [ -f "$j" ]; then
            jar=$j
            break
        fi
    done
fi
if [ -z "$jar" ] || [ ! -f "$jar" ]; then
    echo "oracle_maven.sh: no maven-artifact jar (apt-get install maven)" >&2
    exit 1
fi
classes=$work/oracle_maven
if [ ! -f "$classes/OracleMaven.class" ] || [ "$dir/OracleMaven.java" -nt "$classes/OracleMaven.class" ]; then
    mkdir -p "$classes"
    javac -nowarn -cp "$jar" -d "$classes" "$dir/OracleMaven.java"
fi
exec java -Xshare:auto -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$classes:$jar" OracleMaven
