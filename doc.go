// Package libbpf is a Go binding over upstream libbpf (pinned at 1.7,
// linked statically) whose headline is custom SEC() handlers written in Go.
//
// libbpf matches every program's ELF section name against a table of
// section forms: "tracepoint/", "uprobe+", "xdp" and so on. RegisterProgHandler
// adds forms of your own, tried before libbpf's, with Go callbacks for the
// three moments libbpf offers: Setup while the object is opened, PrepareLoad
// right before the kernel load, and Attach for Program.Attach and the
// skeleton-style Object.Attach. Package callbacks ships ready-made ones.
//
// The usual flow:
//
//	obj, err := libbpf.OpenObjectFile("prog.bpf.o", nil) // Setup callbacks run
//	defer obj.Close()                                  // destroys links, frees everything
//	err = obj.Load()                                   // PrepareLoad callbacks, then the verifier
//	err = obj.Attach()                                 // Attach callbacks and libbpf's own
//
// What Go adds to libbpf: registration is safe from any goroutine; the
// handler table cannot change while an open Object has programs bound to
// custom handlers (libbpf keeps raw pointers into it), so registering or
// unregistering then fails with ErrHandlersInUse instead of corrupting
// memory; a callback's error or panic comes back out of Open, Load or Attach
// as a *CallbackError naming the program and phase; libbpf's log goes to a
// log/slog Logger (SetLogger); and a program the verifier refuses fails Load
// with a *LoadError whose message sums up the verifier log's last lines and
// whose Log field (and %+v) holds all of it. Errors from the kernel and
// libbpf wrap unix.Errno.
package libbpf
