# oracle_rubygems.rb — the reference side of the rubygems differential test (run through
# oracle_rubygems.sh): Gem::Version of the system Ruby compares each "A B" line of stdin
# (read as bytes) to <, =, > or !, where ! means Gem::Version.correct? refused a side.
require "rubygems"

# Debian 12 loads ruby-rubygems 3.3.15 from /usr/lib/ruby/vendor_ruby ahead of the copy in
# /usr/lib/ruby/3.1.0; their version.rb code is the same. A gem-installed rubygems is not.
src = Gem::Version.instance_method(:<=>).source_location[0]
abort "oracle_rubygems: want Debian's rubygems, got #{src}" unless src.start_with?("/usr/lib/ruby/")

STDIN.binmode
out = []
STDIN.read.split("\n", -1)[0...-1].each do |line|
  parts = line.split(/ /, -1)
  if parts.size != 2 || !parts.all? { |s| Gem::Version.correct?(s) }
    out << "!"
  else
    c = Gem::Version.new(parts[0]) <=> Gem::Version.new(parts[1])
    out << (c < 0 ? "<" : c > 0 ? ">" : "=")
  end
end
STDOUT.write(out.map { |r| r + "\n" }.join)
