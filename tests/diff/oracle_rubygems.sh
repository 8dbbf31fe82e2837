#!/bin/sh
# oracle_rubygems.sh WORKDIR — Debian 12's Ruby 3.1 Gem::Version (the reference of vigil's
# rubygems scheme) decides "A B" lines on stdin: <, =, > or ! (Gem::Version.correct? refuses
# either side). WORKDIR is unused.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
exec /usr/bin/ruby "$dir/oracle_rubygems.rb"
