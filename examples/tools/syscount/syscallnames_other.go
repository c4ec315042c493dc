//go:build !amd64

package main

// syscallNames is empty off x86-64: syscalls show as numbers.
var syscallNames = map[uint32]string{}
