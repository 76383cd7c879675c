package web

import (
	"io"
	"reflect"
	"testing"
	"time"
)

// pageDataTypes has the data of every page, each with its template.
func pageDataTypes() []pageData {
	return []pageData{&loginData{}, &overviewData{}, &personData{}, &journeyMapData{}, &funnelsData{}, &frictionData{},
		&attributionData{}, &statesData{}, &pathsData{}, &segmentsData{}, &segmentData{}, &webhooksData{}, &overlapData{},
		&clustersData{}}
}

// fill sets every exported field reachable from v: strings to "x",
// numbers to 1, bools to true, times to a fixed day, pointers to a filled
// value and slices to one filled element, so that a template reaches the
// fields it shows only when others are set.
func fill(v reflect.Value, depth int) {
	if depth > 6 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	case reflect.Float64:
		v.SetFloat(1)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 { // JSON and other bytes
			return
		}
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				fill(f, depth+1)
			}
		}
	}
}

// TestPageDataFitsTemplates: every template has a page data type, and
// renders it without error both empty and with every field set, so that
// no template reads a field its page does not have.
func TestPageDataFitsTemplates(t *testing.T) {
	pages := parsePages()
	typed := map[string]bool{}
	for _, data := range pageDataTypes() {
		name := data.pageName()
		tpl, ok := pages[name]
		if !ok {
			t.Errorf("%T: no templates/%s.html", data, name)
			continue
		}
		typed[name] = true
		t.Run(name, func(t *testing.T) {
			if err := tpl.Execute(io.Discard, data); err != nil {
				t.Errorf("empty %T: %v", data, err)
			}
			full := reflect.New(reflect.TypeOf(data).Elem())
			fill(full.Elem(), 0)
			if err := tpl.Execute(io.Discard, full.Interface()); err != nil {
				t.Errorf("filled %T: %v", data, err)
			}
		})
	}
	for name := range pages {
		if !typed[name] {
			t.Errorf("templates/%s.html has no page data type", name)
		}
	}
}
