package web

import "testing"

func TestHighlight(t *testing.T) {
	cases := []struct {
		name, text string
		terms      []string
		want       string
	}{
		{"none", "plain <b>", nil, "plain &lt;b&gt;"},
		{"one, escaped around", `<script>Fuⅼⅼips</script>`, []string{"Fuⅼⅼips"}, "&lt;script&gt;<mark>Fuⅼⅼips</mark>&lt;/script&gt;"},
		{"twice", "rep Dyson, dyson Dyson", []string{"Dyson"}, "rep <mark>Dyson</mark>, dyson <mark>Dyson</mark>"},
		{"overlapping terms merge", "Hald3n M0or bag", []string{"Hald3n M0or", "M0or bag"}, "<mark>Hald3n M0or bag</mark>"},
		{"term with markup is escaped", `a "<i>" b`, []string{`"<i>"`}, "a <mark>&#34;&lt;i&gt;&#34;</mark> b"},
		{"absent term", "nothing here", []string{"Fullips"}, "nothing here"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := string(highlight(c.text, c.terms)); got != c.want {
				t.Errorf("highlight(%q, %q)\n got %s\nwant %s", c.text, c.terms, got, c.want)
			}
		})
	}
}
