# zombies.gp - peak number of LWPs held exited but not yet freed (the
# memory zombies pin), per workload, one bar per design.
# Variables: data (a comment "# workload d1 d2 ...", then one row per
# workload, NaN where missing), designs, out, ttl, sub, note, nomeas
# (designs left out because they never report zombies), zmax (the
# y range's top), zlog (1: log y axis).
load gpdir.'/common.gp'
nd = words(designs)
do for [ext in "png svg"] {
	eval term_set(ext)
	set output out.'.'.ext.outsfx
	eval head_set
	set tmargin at screen 0.87
	set rmargin at screen 0.80
	set bmargin 6
	set style data histograms
	set style histogram clustered gap 1
	set style fill solid 0.85 border lc rgb '#333333'
	set grid ytics lc rgb '#dddddd'
	set key outside right top vertical noenhanced spacing 1.3 title 'design' box lc rgb '#bbbbbb'
	set ylabel 'peak zombie LWPs (exited, not yet freed)'
	set xlabel 'workload (headline configuration)'
	set xtics noenhanced nomirror rotate by -25
	if (zlog) {
		set logscale y
		set yrange [0.8:zmax * 3]
		set ylabel 'peak zombie LWPs (exited, not yet freed; log scale, no bar = 0)'
	} else {
		unset logscale y
		set yrange [0:zmax]
	}
	if (strlen(note) > 0) {
		set label 103 note at graph 0.5, graph 0.5 center tc rgb '#B00000' noenhanced front
	}
	if (strlen(nomeas) > 0) {
		set label 104 nomeas at graph 0.02, graph 0.96 left tc rgb '#666666' noenhanced font ',9' front
	}
	if (nd > 0) {
		plot for [i=2:nd + 1] data using i:xtic(1) title word(designs, i - 1) \
			lc rgb dcol(word(designs, i - 1))
	} else {
		unset xtics
		plot [0:1][0:1] -1 notitle
	}
	unset label 103
	unset label 104
	set output
}
