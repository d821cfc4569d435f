package brand

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// checkKnownFields reports keys the registry format does not define, naming
// the brand they belong to. yaml.v3's own KnownFields check only gives a line
// number and a Go type name, which tells a brand owner little.
func checkKnownFields(doc *yaml.Node, name string) error {
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: %w: line %d: expected a mapping with a brands list", name, ErrInvalid, root.Line)
	}
	fe := &fieldError{file: name}
	walkFields(root, reflect.TypeOf(Registry{}), "registry", "", fe)
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "brands" || root.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		for j, b := range root.Content[i+1].Content {
			label := fmt.Sprintf("brand #%d", j+1)
			if id := mapValue(b, "id"); id != "" {
				label = "brand " + id
			}
			walkFields(b, reflect.TypeOf(Brand{}), label, "", fe)
		}
	}
	return fe.err()
}

// walkFields checks a mapping node's keys against t's yaml tags and recurses
// into nested structs and lists of structs.
func walkFields(n *yaml.Node, t reflect.Type, brand, prefix string, fe *fieldError) {
	if n.Kind != yaml.MappingNode {
		return
	}
	fields := yamlFields(t)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		ft, ok := fields[key.Value]
		if !ok {
			fe.add(brand, prefix+key.Value, "unknown field (line %d); known fields: %s", key.Line, strings.Join(sortedKeys(fields), ", "))
			continue
		}
		if t == reflect.TypeOf(Registry{}) {
			continue // brands are walked by the caller, which knows their ids
		}
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Struct:
			walkFields(val, ft, brand, prefix+key.Value+".", fe)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct && val.Kind == yaml.SequenceNode:
			for k, item := range val.Content {
				walkFields(item, ft.Elem(), brand, fmt.Sprintf("%s%s[%d].", prefix, key.Value, k), fe)
			}
		}
	}
}

func yamlFields(t reflect.Type) map[string]reflect.Type {
	m := make(map[string]reflect.Type, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "-" || tag == "" {
			continue
		}
		m[tag] = f.Type
	}
	return m
}

func sortedKeys(m map[string]reflect.Type) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func mapValue(n *yaml.Node, key string) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.ScalarNode {
			return n.Content[i+1].Value
		}
	}
	return ""
}
