//go:build race

package dendrite_test

const raceEnabled = true
