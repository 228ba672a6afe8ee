//go:build unix

package main

import "syscall"

// detachAttr puts the background localnet in a session of its own, so that
// closing the terminal (SIGHUP) or Ctrl-C there does not stop it.
func detachAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
