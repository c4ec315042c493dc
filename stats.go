package libbpf

import (
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// statsFD keeps BPF_ENABLE_STATS in effect until it is closed.
type statsFD struct{ fd int }

// EnableStats makes the kernel count run counts and run times of every
// program (Program.Stats) until the returned Closer is closed; it is how
// tools turn on kernel.bpf_stats_enabled and restore it when they exit.
func EnableStats() (io.Closer, error) {
	fd, err := enableStats()
	if err != nil {
		return nil, fmt.Errorf("enable BPF run-time stats: %w", err)
	}
	return &statsFD{fd: fd}, nil
}

func (s *statsFD) Close() error {
	if s.fd < 0 {
		return nil
	}
	err := unix.Close(s.fd)
	s.fd = -1
	return err
}
