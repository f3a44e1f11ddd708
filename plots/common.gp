# common.gp - styles shared by every reapbench plot.  Loaded by the other
# scripts; the driver written by `reapbench report` (DIR/plots/data/plots.gp)
# sets the variables each script documents, then loads it.
#
# One colour and point type per design, the same in every plot, from the
# Okabe-Ito palette (readable with the common colour-vision deficiencies).
# `native` (the OS's own threads, a reference) is black and dashed.

dcol(d) = d eq 'dragonfly' ? '#0072B2' : d eq 'dragonfly-2010' ? '#56B4E9' : \
	d eq 'netbsd' ? '#D55E00' : d eq 'netbsd-2007' ? '#E69F00' : \
	d eq 'hybrid' ? '#009E73' : d eq 'native' ? '#000000' : '#CC79A7'
dcoli(d) = d eq 'dragonfly' ? 0x0072B2 : d eq 'dragonfly-2010' ? 0x56B4E9 : \
	d eq 'netbsd' ? 0xD55E00 : d eq 'netbsd-2007' ? 0xE69F00 : \
	d eq 'hybrid' ? 0x009E73 : d eq 'native' ? 0x000000 : 0xCC79A7
dpt(d) = d eq 'dragonfly' ? 7 : d eq 'dragonfly-2010' ? 5 : \
	d eq 'netbsd' ? 9 : d eq 'netbsd-2007' ? 11 : \
	d eq 'hybrid' ? 13 : d eq 'native' ? 4 : 3
ddt(d) = d eq 'native' ? 2 : 1

# Terminals: every plot is written as PNG (pngcairo) and SVG, to
# out.<ext><outsfx>: `reapbench report` sets outsfx to '.tmp' and renames
# each file once gnuplot has finished it (no half-drawn plot under its name).
if (!exists('outsfx')) outsfx = ''

term_png = "set terminal pngcairo size 1100,700 enhanced font 'Sans,11' linewidth 1.2"
term_svg = "set terminal svg size 1100,700 dynamic enhanced font 'Sans,11' linewidth 1.2 background '#ffffff'"
term_set(ext) = ext eq 'png' ? term_png : term_svg

# Title and subtitle (machine, pin policy) as labels above the graph, so
# names with underscores are printed as they are.
head_set = "set label 101 ttl at screen 0.5, screen 0.965 center font ',15' noenhanced front; \
	set label 102 sub at screen 0.5, screen 0.925 center font ',10.5' tc rgb '#444444' noenhanced front"
head_unset = "unset label 101; unset label 102"

set encoding utf8
