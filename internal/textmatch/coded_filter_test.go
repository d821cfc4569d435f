package textmatch

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"strconv"
	"testing"
)

// TestMayBeCodedKey reads codedField's switch on k out of coded.go and
// checks that mayBeCodedKey lets every ASCII key of its cases through, and
// AAA's: a case added without it would never be reached.
func TestMayBeCodedKey(t *testing.T) {
	fset := gotoken.NewFileSet()
	file, err := parser.ParseFile(fset, "coded.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	var cases []ast.Expr
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if i < len(n.Values) {
					if lit, ok := n.Values[i].(*ast.BasicLit); ok && lit.Kind == gotoken.STRING {
						consts[name.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
		case *ast.FuncDecl:
			if n.Name.Name != "codedField" {
				return false
			}
		case *ast.SwitchStmt:
			if id, ok := n.Tag.(*ast.Ident); ok && id.Name == "k" {
				for _, c := range n.Body.List {
					cases = append(cases, c.(*ast.CaseClause).List...)
				}
			}
		}
		return true
	})
	if len(cases) < 30 {
		t.Fatalf("found %d cases of codedField's switch on k", len(cases))
	}
	for _, c := range cases {
		id, ok := c.(*ast.Ident)
		if !ok {
			t.Errorf("case %T in codedField's switch, want a constant", c)
			continue
		}
		k, ok := consts[id.Name]
		if !ok {
			t.Errorf("case %s: no string constant of that name in coded.go", id.Name)
			continue
		}
		if isASCII(k) && !mayBeCodedKey(k) {
			t.Errorf("mayBeCodedKey(%s = %q) is false", id.Name, k)
		}
	}
	for _, p := range []string{"aaa", "aaaa", "aaaaaa"} {
		if !mayBeCodedKey(Fold(p)) {
			t.Errorf("mayBeCodedKey(Fold(%q)) is false", p)
		}
	}
	for _, k := range []string{"", "item", "zzz", "condition", "A", "1:1"} {
		if mayBeCodedKey(k) {
			t.Errorf("mayBeCodedKey(%q) is true", k)
		}
	}
}
