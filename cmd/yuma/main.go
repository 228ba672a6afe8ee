// Command yuma is the offline Yuma Consensus calculator: it runs the reference vector files of
// vectors/yuma through chain/yuma and prints the outputs as JSON (vectors/README.md "How they
// are run"). See README.md.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gotensor/gotensor/internal/yumascenario"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // the file could not be read, parsed, run, or (check) did not match
	exitUsage = 2 // wrong command line
)

const usage = `usage:
  yuma scenario FILE   run a scenario file; print {"epochs": [...]}
  yuma math FILE       run a math file; print {"results": [...]}
  yuma check FILE...   run files and compare with their expect fields
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) < 1 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, files := args[0], args[1:]
	switch cmd {
	case "scenario", "math":
		if len(files) != 1 {
			fmt.Fprintf(stderr, "yuma %s: want exactly one FILE\n%s", cmd, usage)
			return exitUsage
		}
		out, err := evaluate(cmd, files[0])
		if err != nil {
			fmt.Fprintf(stderr, "yuma %s %s: %v\n", cmd, files[0], err)
			return exitError
		}
		if _, err := stdout.Write(append(out, '\n')); err != nil {
			fmt.Fprintf(stderr, "yuma %s: writing output: %v\n", cmd, err)
			return exitError
		}
		return exitOK
	case "check":
		if len(files) == 0 {
			fmt.Fprintf(stderr, "yuma check: want at least one FILE\n%s", usage)
			return exitUsage
		}
		status := exitOK
		for _, f := range files {
			if err := check(f); err != nil {
				fmt.Fprintf(stderr, "FAIL %s: %v\n", f, err)
				status = exitError
				continue
			}
			fmt.Fprintf(stdout, "ok   %s\n", f)
		}
		return status
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "yuma: unknown command %q\n%s", cmd, usage)
	return exitUsage
}

func load(path string) (*yumascenario.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return yumascenario.Parse(data)
}

// evaluate runs a file of the kind cmd names and returns the JSON to print.
func evaluate(cmd, path string) ([]byte, error) {
	f, err := load(path)
	if err != nil {
		return nil, err
	}
	if cmd == "math" {
		results, err := yumascenario.RunMath(f)
		if err != nil {
			return nil, err
		}
		return json.Marshal(struct {
			Results []json.RawMessage `json:"results"`
		}{results})
	}
	epochs, err := yumascenario.Run(f)
	if err != nil {
		return nil, err
	}
	if epochs == nil {
		epochs = []yumascenario.EpochResult{}
	}
	return json.Marshal(struct {
		Epochs []yumascenario.EpochResult `json:"epochs"`
	}{epochs})
}

// check runs a file of either format and compares the results with its expectations.
func check(path string) error {
	f, err := load(path)
	if err != nil {
		return err
	}
	switch f.Format {
	case yumascenario.FormatMath:
		results, err := yumascenario.RunMath(f)
		if err != nil {
			return err
		}
		return yumascenario.CheckMath(f, results)
	case yumascenario.FormatScenario:
		epochs, err := yumascenario.Run(f)
		if err != nil {
			return err
		}
		return yumascenario.Check(f, epochs)
	}
	return errors.New("unreachable: Parse accepts only the two formats")
}
