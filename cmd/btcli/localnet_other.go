//go:build !unix

package main

import "syscall"

// detachAttr: without Unix sessions the background localnet keeps the
// default attributes.
func detachAttr() *syscall.SysProcAttr { return nil }
