// Package cypher holds every Cypher statement journeygraph runs, as embedded
// .cypher files loaded by name. Values only ever travel as parameters.
//
// Files named schema_NNNN_*.cypher are schema migrations: they are applied in
// order at start, each statement idempotent (CREATE ... IF NOT EXISTS, or
// DROP ... IF EXISTS for a rule no longer wanted). Every other file
// holds exactly one query named verb_noun.cypher.
package cypher

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
)

//go:embed *.cypher
var files embed.FS

// Query returns the query stored in name.cypher. It panics when the file does
// not exist: query names are constants in the code, so a missing one is a
// programming error caught by the tests.
func Query(name string) string {
	b, err := files.ReadFile(name + ".cypher")
	if err != nil {
		panic(fmt.Sprintf("cypher: no query %q", name))
	}
	return strings.TrimSpace(string(b))
}

// Names lists the query names (schema files excluded), sorted.
func Names() []string {
	var names []string
	entries, _ := fs.Glob(files, "*.cypher")
	for _, e := range entries {
		if strings.HasPrefix(e, "schema_") {
			continue
		}
		names = append(names, strings.TrimSuffix(e, ".cypher"))
	}
	sort.Strings(names)
	return names
}

// Schema returns the schema statements of every schema_*.cypher file, in file
// order, each file split on semicolons that end a line.
func Schema() []string {
	entries, _ := fs.Glob(files, "schema_*.cypher")
	sort.Strings(entries)
	var stmts []string
	for _, e := range entries {
		b, _ := files.ReadFile(e)
		for _, s := range strings.Split(stripComments(string(b)), ";\n") {
			if s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ";")); s != "" {
				stmts = append(stmts, s)
			}
		}
	}
	return stmts
}

var paramRE = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)`)

// Params lists the distinct $parameters a query uses, sorted.
func Params(query string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range paramRE.FindAllStringSubmatch(stripComments(query), -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "//") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}
