package ingest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/journeygraph/journeygraph/journeys"
)

// checkJSONText returns a problem when a JSON text holds a string (a key or
// a value) that is not valid UTF-8, raw or escaped (a lone surrogate
// "\ud800"). encoding/json would replace such bytes with U+FFFD silently,
// ids included, so they are refused before decoding, naming the field by
// its path ("properties.name", "items[2]"). whole names the record
// ("item", "row") when the path is empty or cannot be found (raw is not
// valid JSON).
func checkJSONText(raw []byte, whole string) *journeys.RowError {
	if utf8.Valid(raw) && !bytes.Contains(raw, []byte(`\u`)) {
		return nil // the common case: nothing to look at
	}
	if utf8.Valid(raw) && !hasLoneSurrogate(raw) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	type level struct {
		array bool
		key   string
		index int
	}
	var stack []level
	expectKey := false
	path := func(key string) string {
		p := ""
		for _, l := range stack {
			if l.array {
				p += "[" + strconv.Itoa(l.index) + "]"
			} else if l.key != "" {
				p = join(p, l.key)
			}
		}
		if p = join(p, key); p == "" {
			return whole
		}
		return p
	}
	prev := int64(0)
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		end := dec.InputOffset()
		text := raw[prev:end]
		prev = end
		bad := !utf8.Valid(text) || hasLoneSurrogate(text)
		switch tok := tok.(type) {
		case json.Delim:
			switch tok {
			case '{':
				stack = append(stack, level{})
				expectKey = true
				continue
			case '[':
				stack = append(stack, level{array: true})
				expectKey = false
				continue
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if expectKey && len(stack) > 0 && !stack[len(stack)-1].array { // a key; more top-level values are not
				if bad {
					re := journeys.RowErrorf(path(""), "holds a key that is not valid UTF-8")
					return &re
				}
				stack[len(stack)-1].key = journeys.PathKey(tok)
				expectKey = false
				continue
			}
			if bad {
				re := journeys.RowErrorf(path(""), "is not valid UTF-8")
				return &re
			}
		}
		// A value ended: move on to the next key or index.
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				expectKey = true
			}
		}
	}
	re := journeys.RowErrorf(whole, "is not valid UTF-8")
	return &re
}

// join appends a key to a path.
func join(path, key string) string {
	switch {
	case key == "":
		return path
	case path == "":
		return key
	}
	return path + "." + key
}

// hasLoneSurrogate reports whether JSON text holds a \u escape of a UTF-16
// surrogate that is not part of a pair.
func hasLoneSurrogate(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			continue
		}
		if b[i+1] != 'u' {
			i++ // an escaped character, "\\" included
			continue
		}
		r, ok := hex4(b, i+2)
		if !ok {
			continue
		}
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return true // a low half first
		case r >= 0xD800 && r <= 0xDBFF:
			if i+7 < len(b) && b[i+6] == '\\' && b[i+7] == 'u' {
				if lo, ok := hex4(b, i+8); ok && lo >= 0xDC00 && lo <= 0xDFFF {
					i += 11
					continue
				}
			}
			return true
		}
		i += 5
	}
	return false
}

// hex4 reads four hex digits at b[i:].
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[i:i+4]), 16, 32)
	return rune(n), err == nil
}
