package ingest

import (
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

// BenchmarkParseBatchEmptyObjects: 1 MiB of "{}" items, every one rejected.
func BenchmarkParseBatchEmptyObjects(b *testing.B) {
	body := []byte("[" + strings.Repeat("{},", 1<<20/3) + "{}]")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, rej, err := ParseBatch(body, testNow, journeys.Limits{}); err != nil || rej.Total == 0 {
			b.Fatal(err)
		}
	}
}
