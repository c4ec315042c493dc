package libbpf_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// A callback cannot close, load or attach the object whose Load or Attach
// runs it: libbpf would go on with freed state when it returns. Each try
// fails with ErrInCallback and the object stays usable.
func TestCallbackCannotReenterItsObject(t *testing.T) {
	var prepareErrs, attachErrs []error
	register(t, "custom+", libbpf.ProgTypeTracepoint, 0, libbpf.ProgHandler{
		PrepareLoad: func(p *libbpf.Program, _ *libbpf.LoadOptions) error {
			prepareErrs = append(prepareErrs, p.Object().Close(), p.Object().Load(), p.Object().Attach())
			return nil
		},
		Attach: func(p *libbpf.Program) (*libbpf.Link, error) {
			_, attachErr := p.Attach()
			attachErrs = append(attachErrs, p.Object().Close(), p.Object().Attach(), attachErr)
			return p.AttachTracepoint("syscalls", "sys_enter_nanosleep")
		},
	})
	obj := openTest(t, "custom_sec")
	for _, p := range obj.Programs() {
		if !strings.HasPrefix(p.Name(), "custom") {
			if err := p.SetAutoload(false); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	if err := obj.Attach(); err != nil {
		t.Fatal(err)
	}
	if len(prepareErrs) != 6 || len(attachErrs) != 6 {
		t.Fatalf("%d PrepareLoad and %d Attach results, want 6 each", len(prepareErrs), len(attachErrs))
	}
	for _, err := range append(prepareErrs, attachErrs...) {
		if !errors.Is(err, libbpf.ErrInCallback) {
			t.Errorf("from a callback: %v, want ErrInCallback", err)
		}
	}
	if n := len(obj.Links()); n != 2 {
		t.Errorf("%d links, want 2", n)
	}
	if err := obj.Close(); err != nil {
		t.Errorf("close after the callbacks: %v", err)
	}
}

// A Program a Setup callback kept outlives an Open that failed (libbpf freed
// the program): using it fails with ErrClosed instead of reading freed
// memory (-asan checks that).
func TestProgramKeptFromFailedOpen(t *testing.T) {
	testutil.RequireKernel(t)
	var kept *libbpf.Program
	refuse := errors.New("refused")
	register(t, "custom+", libbpf.ProgTypeTracepoint, 0, libbpf.ProgHandler{
		Setup: func(p *libbpf.Program) error {
			if kept == nil {
				kept = p
				return nil
			}
			return refuse
		},
	})
	if _, err := libbpf.OpenObjectFile(testutil.Object(t, "testdata/custom_sec.bpf.o"), nil); !errors.Is(err, refuse) {
		t.Fatalf("open: %v, want the Setup error", err)
	}
	if kept == nil {
		t.Fatal("Setup never ran")
	}
	if err := kept.SetAutoload(false); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("SetAutoload on the kept program: %v, want ErrClosed", err)
	}
	if typ, fd := kept.Type(), kept.FD(); typ != libbpf.ProgTypeUnspec || fd != -1 {
		t.Errorf("kept program: type %v, fd %d, want unspec and -1", typ, fd)
	}
	if _, err := kept.Attach(); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("Attach of the kept program: %v, want ErrClosed", err)
	}
}

// A Setup callback may read the handler table (SectionDefinition,
// Registrations, a nested Open) while another goroutine waits to register:
// the Open's read lock must not be taken twice behind the waiting writer.
func TestSetupReadsTableWhileRegistering(t *testing.T) {
	testutil.RequireKernel(t)
	basic := testutil.Object(t, "testdata/basic.bpf.o")
	writerStarted := make(chan struct{})
	var readErrs []error
	register(t, "custom+", libbpf.ProgTypeTracepoint, 0, libbpf.ProgHandler{
		Setup: func(p *libbpf.Program) error {
			if p.Name() != "custom1" {
				return nil
			}
			go func() {
				close(writerStarted)
				if r, err := libbpf.RegisterProgHandler("late", libbpf.ProgTypeKprobe, 0, libbpf.ProgHandler{}); err == nil {
					r.Unregister()
				}
			}()
			<-writerStarted
			time.Sleep(100 * time.Millisecond) // the writer now waits for the Open's read lock
			_, _, err := libbpf.SectionDefinition("tracepoint/a/b")
			readErrs = append(readErrs, err)
			if len(libbpf.Registrations()) == 0 {
				readErrs = append(readErrs, errors.New("no registrations"))
			}
			nested, err := libbpf.OpenObjectFile(basic, nil)
			if err == nil {
				err = nested.Close()
			}
			return errors.Join(append(readErrs, err)...)
		},
	})
	opened := make(chan error, 1)
	go func() {
		obj, err := libbpf.OpenObjectFile(testutil.Object(t, "testdata/custom_sec.bpf.o"), nil)
		if err == nil {
			err = obj.Close()
		}
		opened <- err
	}()
	select {
	case err := <-opened:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Open deadlocked: Setup read the handler table behind a waiting writer")
	}
}

// Map operations before Load say so, instead of the ENOENT that libbpf
// reports and that would read as a missing key.
func TestMapOperationsBeforeLoad(t *testing.T) {
	m := openTest(t, "basic").Map("counts")
	size, err := m.LookupValueSize()
	if err != nil {
		t.Fatal(err)
	}
	key, value := u32(0), make([]byte, size)
	for op, err := range map[string]error{
		"lookup":   m.Lookup(key, value),
		"update":   m.Update(key, value, 0),
		"delete":   m.Delete(key),
		"next key": m.NextKey(nil, key),
	} {
		if !errors.Is(err, libbpf.ErrNotLoaded) || errors.Is(err, libbpf.ErrKeyNotExist) {
			t.Errorf("%s before Load: %v, want ErrNotLoaded", op, err)
		}
	}
}
