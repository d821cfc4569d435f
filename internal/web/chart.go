package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"

	"github.com/assay-dev/assay/internal/casestore"
)

// barChart draws flags per day as an inline SVG bar chart: rendered on the
// server, so the page needs no script and loads nothing from elsewhere.
func barChart(days []casestore.DayCount) template.HTML {
	if len(days) == 0 {
		return template.HTML(`<p class="muted">No flags yet.</p>`)
	}
	const w, h, pad = 720, 180, 24
	peak := 1
	for _, d := range days {
		peak = max(peak, d.Count)
	}
	bw := float64(w-2*pad) / float64(len(days))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="flags per day">`, w, h)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>`, pad, h-pad, w-pad, h-pad)
	fmt.Fprintf(&b, `<text x="2" y="%d" font-size="11" fill="#5d6878">%d</text>`, pad, peak)
	for i, d := range days {
		bh := float64(h-2*pad) * float64(d.Count) / float64(peak)
		x := float64(pad) + float64(i)*bw
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#1f5fbf"><title>%s: %d</title></rect>`,
			x+1, float64(h-pad)-bh, max(bw-2, 1), bh, html.EscapeString(d.Day), d.Count)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#5d6878">%s</text>`, pad, h-6, html.EscapeString(days[0].Day))
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#5d6878" text-anchor="end">%s</text>`, w-pad, h-6, html.EscapeString(days[len(days)-1].Day))
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from numbers and escaped day strings only
}
