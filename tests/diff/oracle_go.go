// oracle_go.go — the go-scheme oracle: reads "A B" lines (split as `vigil vercmp -` splits
// them) and prints, per line, golang.org/x/mod/semver's Compare as <, = or >, or ! when
// either side fails semver.IsValid (Compare would rank it below every valid version).
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	lines := bytes.Split(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] == '\n' {
		lines = lines[:len(lines)-1]
	} else if len(data) == 0 {
		lines = nil
	}
	for _, raw := range lines {
		line := strings.TrimRight(string(raw), "\r\n")
		f := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' })
		if len(f) != 2 || !semver.IsValid(f[0]) || !semver.IsValid(f[1]) {
			fmt.Fprintln(out, "!")
			continue
		}
		switch c := semver.Compare(f[0], f[1]); {
		case c < 0:
			fmt.Fprintln(out, "<")
		case c > 0:
			fmt.Fprintln(out, ">")
		default:
			fmt.Fprintln(out, "=")
		}
	}
}
