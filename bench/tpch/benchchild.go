package tpch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"time"
)

// BenchWorkerFlag is the first argument with which RunBench re-executes its command as a
// measuring child: `exe -bench-worker '<spec as JSON>'`. A command that calls RunBench
// must pass such an invocation to RunBenchWorker before it parses its own flags (see
// BenchWorkerSpec and cmd/tpchbench); the flag is not meant for people.
const BenchWorkerFlag = "-bench-worker"

// Time limits of the parent's side of a measuring child.
const (
	// childGrace is how long past a run's timeout the parent waits for the child's answer
	// before it kills the child (a query that ignores its cancellation).
	childGrace = 30 * time.Second
	// childStartLimit bounds opening the engine and registering the tables.
	childStartLimit = 2 * time.Minute
	// childCloseLimit bounds a child's exit once its input has ended.
	childCloseLimit = time.Minute
)

// BenchWorkerSpec returns the spec of a measuring child's command line (os.Args), and
// whether the arguments are a child's at all.
func BenchWorkerSpec(args []string) (spec string, ok bool) {
	if len(args) == 3 && args[1] == BenchWorkerFlag {
		return args[2], true
	}
	return "", false
}

// benchWorkerSpec is what a measuring child opens.
type benchWorkerSpec struct {
	Engine  string `json:"engine"`  // EngineEmber or EngineDuckDB
	Dir     string `json:"dir"`     // the data, absolute
	Threads int    `json:"threads"` // Ember's partitions, DuckDB's threads
}

// benchHello is a child's first message: the engine is open and the tables registered.
type benchHello struct {
	Version string `json:"version"`
	Err     string `json:"error,omitempty"`
}

// benchRequest asks a child for one run; it answers with one benchRun.
type benchRequest struct {
	Query   int   `json:"query"`
	Text    bool  `json:"text"`
	Timeout int64 `json:"timeout_ns"` // the run's time limit; 0: none
}

// RunBenchWorker is a measuring child's whole life: it opens the engine spec names and
// registers the tables, writes a hello (JSON) on out, then answers each request read
// from in (one JSON value each: a query number, whether to return the rows as text, a
// time limit) with one run (benchRun, JSON) until in ends, and closes the engine. The
// parent reads the child's peak RSS when it exits, so a child measures one query on one
// engine. An error is also reported to the parent when it can be (an open that fails).
func RunBenchWorker(ctx context.Context, spec string, in io.Reader, out io.Writer) error {
	var sp benchWorkerSpec
	if err := json.Unmarshal([]byte(spec), &sp); err != nil {
		return fmt.Errorf("tpch: bad worker spec %q: %w", spec, err)
	}
	enc := json.NewEncoder(out)
	sess, err := openBenchSession(ctx, sp.Engine, sp.Dir, sp.Threads)
	if err != nil {
		_ = enc.Encode(benchHello{Err: err.Error()}) // the parent may be gone; err says enough
		return err
	}
	if err := enc.Encode(benchHello{Version: sess.version()}); err != nil {
		sess.close()
		return err
	}
	dec := json.NewDecoder(in)
	for {
		var req benchRequest
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			sess.close()
			return fmt.Errorf("tpch: worker request: %w", err)
		}
		rctx, cancel := ctx, context.CancelFunc(func() {})
		if req.Timeout > 0 {
			rctx, cancel = context.WithTimeout(ctx, time.Duration(req.Timeout))
		}
		r := sess.run(rctx, req.Query, req.Text)
		cancel()
		if err := enc.Encode(r); err != nil {
			sess.close()
			return err
		}
	}
	return sess.close()
}

// benchChild is the parent's side of a measuring child process: it sends requests on the
// child's stdin and reads its JSON answers from its stdout (a goroutine decodes them into
// msgs, closed at the end of the output). Not safe for concurrent use.
type benchChild struct {
	engine  string
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	msgs    chan json.RawMessage
	timeout time.Duration // of one run
	grace   time.Duration // childGrace; tests shorten it
	version string
	// dead is set once the child was killed or ended its output: later runs fail with it.
	dead error

	waitOnce sync.Once
	waitErr  error
}

// startBenchChild starts `exe -bench-worker spec` and waits for its hello. The child's
// stderr goes to stderr; it is killed if ctx ends.
func startBenchChild(ctx context.Context, exe string, spec benchWorkerSpec, timeout time.Duration, stderr io.Writer) (*benchChild, error) {
	js, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, exe, BenchWorkerFlag, string(js))
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("tpch: start %s worker: %w", spec.Engine, err)
	}
	c := &benchChild{engine: spec.Engine, cmd: cmd, stdin: stdin, msgs: make(chan json.RawMessage, 1), timeout: timeout, grace: childGrace}
	go func() {
		defer close(c.msgs)
		dec := json.NewDecoder(stdout)
		for {
			var m json.RawMessage
			if err := dec.Decode(&m); err != nil {
				return // the output ended (the child exited or was killed) or is garbled
			}
			c.msgs <- m
		}
	}()
	var hello benchHello
	err = c.receive(ctx, childStartLimit, &hello)
	if err == nil && hello.Err != "" {
		err = errors.New(hello.Err)
	}
	if err != nil {
		c.close()
		return nil, fmt.Errorf("tpch: %s worker: %w", spec.Engine, err)
	}
	c.version = hello.Version
	return c, nil
}

// receive decodes the child's next message into v, waiting at most limit (0: no limit).
// When the limit passes or ctx ends, the child is killed and marked dead.
func (c *benchChild) receive(ctx context.Context, limit time.Duration, v any) error {
	if c.dead != nil {
		return c.dead
	}
	var expired <-chan time.Time
	if limit > 0 {
		t := time.NewTimer(limit)
		defer t.Stop()
		expired = t.C
	}
	select {
	case m, ok := <-c.msgs:
		if !ok {
			c.dead = fmt.Errorf("the %s worker ended its output (%v)", c.engine, c.wait())
			return c.dead
		}
		return json.Unmarshal(m, v)
	case <-expired:
		c.kill()
		c.dead = fmt.Errorf("no answer within %s; the %s worker was killed", limit, c.engine)
	case <-ctx.Done():
		c.kill()
		c.dead = ctx.Err()
	}
	return c.dead
}

// run asks the child for one run of query n. A run that does not answer within the
// timeout plus childGrace kills the child: this run and every later one fail.
func (c *benchChild) run(ctx context.Context, n int, text bool) benchRun {
	if c.dead != nil {
		return benchRun{Err: c.dead.Error()}
	}
	req, err := json.Marshal(benchRequest{Query: n, Text: text, Timeout: int64(c.timeout)})
	if err == nil {
		_, err = c.stdin.Write(append(req, '\n'))
	}
	if err != nil {
		c.dead = fmt.Errorf("the %s worker does not take requests: %w", c.engine, err)
		return benchRun{Err: c.dead.Error()}
	}
	var limit time.Duration
	if c.timeout > 0 {
		limit = c.timeout + c.grace
	}
	var r benchRun
	if err := c.receive(ctx, limit, &r); err != nil {
		return benchRun{Err: err.Error()}
	}
	return r
}

func (c *benchChild) kill() {
	if c.cmd.Process != nil {
		_ = c.cmd.Process.Kill() // an error means it has exited already
	}
}

// wait reaps the child once its output has ended (os/exec wants the pipe's reads done
// first) and returns how it exited.
func (c *benchChild) wait() error {
	c.waitOnce.Do(func() { c.waitErr = c.cmd.Wait() })
	return c.waitErr
}

// close ends the child's input, lets it close its engine and exit (killing it after
// childCloseLimit), and returns its peak RSS in KiB and how it exited (an error for a
// non-zero status or a kill).
func (c *benchChild) close() (peakKiB int64, err error) {
	c.stdin.Close()
	limit := time.NewTimer(childCloseLimit)
	defer limit.Stop()
	for drained := false; !drained; {
		select {
		case _, ok := <-c.msgs:
			drained = !ok
		case <-limit.C:
			c.kill() // the output ends when the process does
		}
	}
	err = c.wait()
	return peakRSSKiB(c.cmd.ProcessState), err
}
