package ingest

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

func TestLoadMapping(t *testing.T) {
	got, err := LoadMapping("testdata/mapping.json")
	if err != nil {
		t.Fatalf("LoadMapping: %v", err)
	}
	want, _ := Preset("rees46")
	want.Constant = map[string]string{"channel": "web"}
	want.PersonPrefix = "rees46-"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadMapping:\ngot  %+v\nwant %+v", got, want)
	}
}

func TestLoadMappingFields(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    Mapping
		wantErr string // ErrorMessage suffix after "mapping <path>: "
	}{
		{"tab separated", `{"format":"csv","header":false,"comma":"\t","columns":["u","t","n"],"person":"u","time":"t","name":"n","value":"v"}`,
			Mapping{Format: FormatCSV, Comma: '\t', Columns: []string{"u", "t", "n"}, Person: "u", Time: "t", Name: "n", Value: "v"}, ""},
		{"constant name", `{"format":"jsonl","person":"u","time":"t","constant":{"name":"purchase"}}`,
			Mapping{Format: FormatJSONL, Person: "u", Time: "t", Constant: map[string]string{"name": "purchase"}}, ""},
		{"unknown key", `{"format":"csv","persn":"u"}`, Mapping{}, `json: unknown field "persn"`},
		{"bad comma", `{"preset":"taobao","comma":";;"}`, Mapping{}, `comma: ";;" is not one character`},
		{"unknown preset", `{"preset":"kaggle"}`, Mapping{}, `preset: "kaggle" is not a preset (want one of bpic2012, msnbc, rees46, segment, taobao)`},
		{"missing time", `{"format":"csv","header":true,"person":"u","name":"n"}`, Mapping{}, "time: missing (name the column holding the timestamp)"},
		{"bad seq start", `{"preset":"msnbc","start":"yesterday"}`, Mapping{}, `start: "yesterday" is not an RFC 3339 time`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.json")
			if err := os.WriteFile(path, []byte(tt.json), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := LoadMapping(path)
			if tt.wantErr != "" {
				if want := "mapping " + path + ": " + tt.wantErr; journeys.ErrorCode(err) != journeys.EINVALID || journeys.ErrorMessage(err) != want {
					t.Errorf("err = %v, want %s %q", err, journeys.EINVALID, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadMapping: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestPreset(t *testing.T) {
	for _, name := range PresetNames() {
		m, ok := Preset(name)
		if !ok {
			t.Errorf("Preset(%q) not found", name)
			continue
		}
		if err := m.validate(); err != nil {
			t.Errorf("Preset(%q) invalid: %v", name, err)
		}
	}
	if _, ok := Preset("nope"); ok {
		t.Errorf(`Preset("nope") found, want not found`)
	}
	a, _ := Preset("taobao")
	a.Names["pv"] = "changed"
	if b, _ := Preset("taobao"); b.Names["pv"] != "product_view" {
		t.Errorf("Preset shares its maps between calls: got %q, want product_view", b.Names["pv"])
	}
}

func TestDetectPreset(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		want   string
	}{
		{"rees46", []string{"event_time", "event_type", "product_id", "category_id", "category_code", "brand", "price", "user_id", "user_session"}, "rees46"},
		{"rees46 with BOM", []string{"\ufeffevent_time", "event_type", "product_id", "category_id", "category_code", "brand", "price", "user_id", "user_session"}, "rees46"},
		{"bpic2012", []string{"case_id", "event_index", "activity", "lifecycle", "timestamp", "resource", "amount_req", "reg_date"}, "bpic2012"},
		{"taobao row", []string{"1", "2268318", "2520377", "pv", "1511544070"}, "taobao"},
		{"msnbc banner", []string{"% Different categories found in input file:"}, "msnbc"},
		{"segment line", []string{`{"type":"track"`, `"userId":"u1"}`}, "segment"},
		{"unknown", []string{"a", "b"}, ""},
		{"taobao-like, bad epoch", []string{"1", "2", "3", "pv", "yesterday"}, ""},
		{"empty", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := DetectPreset(tt.header)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("DetectPreset = %q, %v, want %q, %v", got, ok, tt.want, tt.want != "")
			}
		})
	}
}
