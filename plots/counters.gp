# counters.gp - per-lifecycle costs of one configuration, one bar per
# design in six panels: cycles, instructions, context switches, CPU time,
# the reaper's share of CPU time and the peak of zombie LWPs.  A counter
# that was not measured says "unavailable: <reason>" in its panel instead
# of drawing zeros; a design lacking a value gets "n/a" over its slot.
# Variables: data (rows "design v1 .. v6", NaN where missing), designs,
# npanel, plab1..plab6 (panel titles), unav1..unav6 ('' or the reason),
# pmax1..pmax6 (the y range's top), gap1..gap6 (1: some design lacks
# the value),
# out, ttl, sub.
load gpdir.'/common.gp'
nd = words(designs)
vlab(x) = x >= 100 ? sprintf('%.0f', x) : x >= 10 ? sprintf('%.1f', x) : sprintf('%.3g', x)
do for [ext in "png svg"] {
	eval term_set(ext)
	set output out.'.'.ext.outsfx
	set multiplot layout 2, 3 margins 0.07, 0.98, 0.1, 0.86 spacing 0.07, 0.13
	eval head_set
	set style fill solid 0.85 border lc rgb '#333333'
	set boxwidth 0.7
	set grid ytics lc rgb '#dddddd'
	set xrange [-0.6:nd - 0.4]
	set xtics rotate by -30 nomirror noenhanced font ',9'
	set format y '%g'
	unset key
	do for [p=1:npanel] {
		set title value('plab'.p) noenhanced font ',11'
		set yrange [0:value('pmax'.p)]
		u = value('unav'.p)
		if (strlen(u) > 0) {
			set label 201 u at graph 0.5, graph 0.5 center tc rgb '#B00000' noenhanced font ',10' front
			unset ytics
			plot [-0.6:nd - 0.4][0:1] data using 0:(NaN):xtic(1) with boxes notitle, \
				-1 notitle
			unset label 201
			set ytics
		} else {
			if (value('gap'.p)) {
				plot data using 0:(column(p + 1)):(dcoli(strcol(1))):xtic(1) \
					with boxes lc rgb variable notitle, \
				     '' using 0:(column(p + 1)):(vlab(column(p + 1))) \
					with labels offset 0, 0.7 font ',9' notitle, \
				     '' using 0:(valid(p + 1) ? NaN : 0):('n/a') \
					with labels offset 0, 0.7 font ',9' tc rgb '#B00000' notitle
			} else {
				plot data using 0:(column(p + 1)):(dcoli(strcol(1))):xtic(1) \
					with boxes lc rgb variable notitle, \
				     '' using 0:(column(p + 1)):(vlab(column(p + 1))) \
					with labels offset 0, 0.7 font ',9' notitle
			}
		}
		if (p == 1) { eval head_unset }
	}
	unset multiplot
	set output
}
