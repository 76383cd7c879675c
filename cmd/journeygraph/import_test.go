package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestImportBadSortMemory(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"import", "--sort-memory", "12XB", "events.csv"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "sort-memory") || !strings.Contains(err.Error(), `"12XB" is not a size`) {
		t.Errorf("error = %v, want one naming --sort-memory and the bad value", err)
	}
}
