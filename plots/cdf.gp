# cdf.gp - exit-to-free latency distributions of one configuration: the CDF
# on a log latency axis (left) and its tail, 1 - CDF, on log-log axes
# (right), where p99 and p99.9 can be read.  One line per design.
# Variables: files (one latency/<bench>.dat per design: lines
# "<upper_bound_ns> <cumulative_fraction>"), designs, xlab (what the
# latency spans), xtics_cmd (a `set xtics (...)` with time labels), out,
# ttl, sub.
load gpdir.'/common.gp'
nd = words(designs)
eval xtics_cmd
do for [ext in "png svg"] {
	eval term_set(ext)
	set output out.'.'.ext.outsfx
	set multiplot
	eval head_set
	set grid lc rgb '#dddddd'
	set logscale x 10
	set xlabel 'latency (log scale)'
	set label 105 xlab at screen 0.5, screen 0.025 center noenhanced font ',10' tc rgb '#444444'

	set lmargin at screen 0.07
	set rmargin at screen 0.47
	set tmargin at screen 0.84
	set bmargin at screen 0.15
	set ylabel 'fraction of samples <= x'
	set yrange [0:1.02]
	set ytics 0.1
	set key top left noenhanced spacing 1.3 box lc rgb '#bbbbbb' opaque
	set arrow 1 from graph 0, first 0.5 to graph 1, first 0.5 nohead dt 3 lc rgb '#888888'
	set arrow 2 from graph 0, first 0.99 to graph 1, first 0.99 nohead dt 3 lc rgb '#888888'
	set label 11 'p50' at graph 1.01, first 0.5 left font ',9' tc rgb '#666666'
	set label 12 'p99' at graph 1.01, first 0.99 left font ',9' tc rgb '#666666'
	set title 'CDF' font ',12'
	plot for [i=1:nd] word(files, i) using 1:2 with steps lw 2 \
		dt ddt(word(designs, i)) lc rgb dcol(word(designs, i)) title word(designs, i)
	eval head_unset
	unset label 105
	unset arrow 1; unset arrow 2; unset label 11; unset label 12

	set lmargin at screen 0.60
	set rmargin at screen 0.94
	set logscale y 10
	set yrange [1e-4:1.2]
	set ytics ("1" 1, "0.1" 0.1, "0.01" 0.01, "0.001" 0.001, "10^{-4}" 1e-4)
	set arrow 3 from graph 0, first 0.01 to graph 1, first 0.01 nohead dt 3 lc rgb '#888888'
	set arrow 4 from graph 0, first 0.001 to graph 1, first 0.001 nohead dt 3 lc rgb '#888888'
	set label 13 'p99' at graph 1.01, first 0.01 left font ',9' tc rgb '#666666'
	set label 14 'p99.9' at graph 1.01, first 0.001 left font ',9' tc rgb '#666666'
	set ylabel 'fraction of samples > x (1 - CDF)'
	set title 'tail (log-log)' font ',12'
	set key bottom left opaque
	plot for [i=1:nd] word(files, i) using 1:(1 - $2 > 0 ? 1 - $2 : NaN) with steps lw 2 \
		dt ddt(word(designs, i)) lc rgb dcol(word(designs, i)) title word(designs, i)
	unset logscale y
	unset arrow 3; unset arrow 4; unset label 13; unset label 14
	unset multiplot
	set output
}
