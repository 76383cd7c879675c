package cypher

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// Fragments are the fixed pieces segment queries are composed of: the
// only place where Cypher text is assembled at run time. Each file in
// fragments/ is one piece with two kinds of holes:
//
//   - $_name is a parameter local to the piece: the renderer (graph's
//     segment compiler) rewrites it to a fresh $fN_name for every use and
//     supplies its value as a parameter, so values never enter the text;
//   - {{hole}} is filled with another rendered fragment, a variable name the
//     renderer chose (e, a, b, e0...), or an identifier or operator taken
//     from a fixed whitelist in the renderer (a property name such as
//     channel, an operator such as >=). Never with user text.
//
// The boolean glue between pieces (AND, OR, NOT, parentheses) is added by
// the renderer.
//
//go:embed fragments/*.cypher
var fragmentFiles embed.FS

// Fragment returns the fragment stored in fragments/name.cypher. It panics
// when the file does not exist (fragment names are constants in the code).
func Fragment(name string) string {
	b, err := fragmentFiles.ReadFile("fragments/" + name + ".cypher")
	if err != nil {
		panic(fmt.Sprintf("cypher: no fragment %q", name))
	}
	return strings.TrimSpace(string(b))
}

// FragmentNames lists the fragment names, sorted.
func FragmentNames() []string {
	entries, _ := fs.Glob(fragmentFiles, "fragments/*.cypher")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(strings.TrimPrefix(e, "fragments/"), ".cypher"))
	}
	sort.Strings(names)
	return names
}
