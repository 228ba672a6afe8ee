//go:build !unix || aix || hurd

package neuron

// lockFile takes no lock: this platform has no flock (Windows, Plan 9, wasm, AIX). Nothing
// there stops two neurons from sharing a state file; give each its own --neuron.state_file.
func lockFile(string) (release func(), holder string, err error) {
	return func() {}, "", nil
}
