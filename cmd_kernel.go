package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/de4e/weir/interp"
	"github.com/de4e/weir/kernel"
	"github.com/de4e/weir/notebook"
)

func init() {
	register(command{name: "kernel", hidden: true, summary: "serve a kernel on stdin and stdout (the workbench and weir run start it; see go doc ./kernel)",
		run: func(args []string, _, _ io.Writer) error {
			if len(args) > 0 {
				return usagef("weir kernel takes no arguments: its options come in the init request")
			}
			return kernel.Main()
		}})
}

// kernelFlags are the flags that say where cells run: in a kernel process (the default) with a memory
// limit, or in weir's own process.
type kernelFlags struct {
	inProcess bool
	memory    byteSize
}

// add registers the flags on fs.
func (k *kernelFlags) add(fs *flag.FlagSet) {
	k.memory = kernel.DefaultMemoryLimit
	fs.BoolVar(&k.inProcess, "in-process", false, "run the cells in weir's own process, as before the kernel process: a crashing cell then ends weir")
	fs.Var(&k.memory, "kernel-memory", "memory limit of the kernel process (e.g. 512MiB, 2GiB); past it the kernel restarts and the cell fails")
}

// session opens nb with a kernel as the flags say; close ends the kernel process.
func (k *kernelFlags) session(nb *notebook.Notebook, opts interp.Options) (s *interp.Session, close func(), err error) {
	if k.inProcess {
		s = interp.NewSession(nb, opts)
		return s, s.Kernel.Restart, nil
	}
	r, err := k.newRunner(nb, opts.ForNotebook(nb))
	if err != nil {
		return nil, nil, err
	}
	return interp.NewSessionOn(nb, r), func() { r.Close() }, nil
}

// newRunner starts a kernel process with the flags' memory limit (tui.Options.NewRunner).
func (k *kernelFlags) newRunner(_ *notebook.Notebook, opts interp.Options) (interp.Runner, error) {
	c, err := kernel.Start(kernel.Options{Kernel: opts, MemoryLimit: int64(k.memory)})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// byteSize is a flag holding a size in bytes, written as a number with an optional unit (B, KiB, MiB, GiB,
// TiB; KB, MB, GB, TB are read as the binary units).
type byteSize int64

func (b *byteSize) String() string {
	switch n := int64(*b); {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	default:
		return strconv.FormatInt(n, 10)
	}
}

func (b *byteSize) Set(s string) error {
	units := []struct {
		suffix string
		shift  uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"TB", 40}, {"GB", 30}, {"MB", 20}, {"KB", 10}, {"B", 0}}
	num, shift := strings.TrimSpace(s), uint(0)
	for _, u := range units {
		if strings.HasSuffix(strings.ToUpper(num), strings.ToUpper(u.suffix)) {
			num, shift = strings.TrimSpace(num[:len(num)-len(u.suffix)]), u.shift
			break
		}
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("%q is not a size: write a positive number with a unit, such as 512MiB or 2GiB", s)
	}
	*b = byteSize(n * float64(int64(1)<<shift))
	return nil
}
