# atomics.awk FILE...: "FILE LINE" for every line whose only shared
# accesses are C11 atomic operations (atomic_*() calls on &OBJECT); lines
# that also read or write a member plainly go to stderr as "mixed".
function strip_arg(s, i,   d, c) {	# s[i] is '&': drop the argument
	d = 0
	for (; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "(" || c == "[") d++
		else if ((c == ")" || c == "]") && d > 0) d--
		else if ((c == "," || c == ")") && d == 0) break
	}
	return i
}
function plain(s,   out, i, j, m) {
	out = ""
	while (match(s, /atomic_[a-z_]+\([ \t]*/)) {
		out = out substr(s, 1, RSTART - 1)
		i = RSTART + RLENGTH
		if (i > length(s)) { cont = 1; s = ""; break }
		if (substr(s, i, 1) == "&") i = strip_arg(s, i)
		s = substr(s, i)
	}
	out = out s
	gsub(/&&/, " ", out)	# && is no address-of
	while (match(out, /(^|[(,=])[ \t]*&[A-Za-z_]/)) {	# &x->y reads nothing
		i = RSTART + RLENGTH - 2
		out = substr(out, 1, i - 1) substr(out, strip_arg(out, i))
	}
	return out ~ /->|[A-Za-z0-9_\]\)]\.[A-Za-z_]/
}
# A statement with an atomic call that goes on over more lines (open
# parentheses) is judged line by line: -O1 may put the access on any.
FNR == 1 { cont = 0; open = 0; n = split(FILENAME, pp, "/"); base = pp[n] }
{
	line = $0
	sub(/\/\*.*\*\//, "", line); sub(/\/\/.*/, "", line)
	was = cont; cont = 0; hit = was || open > 0
	if (was && match(line, /^[ \t]*&/)) {
		i = strip_arg(line, RSTART + RLENGTH - 1)
		line = substr(line, i)
	}
	if (line ~ /atomic_[a-z_]+\(/) hit = 1
	if (!hit) next
	open += gsub(/\(/, "(", line) - gsub(/\)/, ")", line)
	if (open < 0 || line ~ /[;{}][ \t]*$/) open = 0
	if (plain(line)) print "mixed " base ":" FNR ": " $0 > "/dev/stderr"
	else print base, FNR
}
