//go:build !unix

package dendrite_test

import "time"

// processCPU is unknown here; the benchmark then omits cpu_us/req.
func processCPU() time.Duration { return 0 }
