package textmatch
import ("testing";"fmt")
func TestZZStat(t *testing.T){
	bs := benchRegistry(t); ix,_ := NewIndex(bs); ls := benchListings(bs, 2000)
	q, c, terms := 0, 0, 0
	keys := map[string]int{}
	for _, l := range ls {
		f := []field{{name:"title",text:l.title,toks:analyze(l.title,nil)},{name:"description",text:l.desc,toks:analyze(l.desc,nil)}}
		cs := ix.candidates(f)
		if len(cs) > 0 { q++; c += len(cs); ids,_ := ix.lookup(cs); terms += len(ids); for _, k := range cs { keys[k.field+":"+k.key]++ } }
	}
	fmt.Println("queries", q, "cands", c, "terms", terms)
	for k, n := range keys { if n > 20 { fmt.Println(k, n) } }
}
