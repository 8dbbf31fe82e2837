// oracle_apk.go — the apk cross-check oracle: reads "A B" lines and prints <, = or > per
// line from github.com/knqyf263/go-apk-version (Debian's golang-github-knqyf263-go-apk-
// version-dev), a port of apk-tools' comparison that agrees with apk-tools' own vectors.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	version "github.com/knqyf263/go-apk-version"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		f := strings.SplitN(in.Text(), " ", 2)
		if len(f) != 2 {
			fmt.Fprintln(out, "!")
			continue
		}
		c := version.Version(f[0]).Compare(version.Version(f[1]))
		switch {
		case c < 0:
			fmt.Fprintln(out, "<")
		case c > 0:
			fmt.Fprintln(out, ">")
		default:
			fmt.Fprintln(out, "=")
		}
	}
}
