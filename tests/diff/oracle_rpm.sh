#!/bin/sh
# oracle_rpm.sh WORKDIR — rpm 4.18's own comparison: one `rpm --eval` runs a Lua loop that
# calls rpm.vercmp (rpmverParse + rpmverCmp) on every "A B" line of stdin and prints <, =,
# > or ! (rpm.vercmp raised an error).
set -eu
in=$1/rpm-oracle-in.$$
cat >"$in"
rpm --eval "%{lua:
local out = {}
for line in io.lines('$in') do
  local a, b = line:match('^(%S*) (%S*)$')
  local ok, r = pcall(rpm.vercmp, a or '', b or '')
  if not ok or a == nil then out[#out+1] = '!'
  elseif r < 0 then out[#out+1] = '<'
  elseif r > 0 then out[#out+1] = '>'
  else out[#out+1] = '=' end
end
io.write(table.concat(out, '\n'), '\n')
}" | sed '/^$/d'
rm -f "$in"
