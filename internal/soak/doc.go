// Package soak holds the module's soak test (make soak): many cycles of
// register, open, load, attach, trigger, detach, close and unregister on
// several goroutines at once, with varied handler sets, checking that
// memory, file descriptors, goroutines and cgo handles stay flat. See
// soak_test.go; BENCHMARKS.md records a run.
package soak
