package perfevent

// Cgroup2Mount exposes cgroup2Mount to the external tests.
var Cgroup2Mount = cgroup2Mount
