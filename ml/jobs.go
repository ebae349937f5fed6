package ml

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/embersql/ember/internal/errs"
)

// Training jobs (CREATE MODEL ... ASYNC, SHOW JOBS, SHOW JOB id, CANCEL JOB id): a job is a
// goroutine running one training with a context of its own, recorded in a per-process
// table. A job outlives the statement that started it: its context derives from
// context.Background(), so only CANCEL JOB (Job.Cancel) stops it.

// JobState is a job's state: RUNNING, then exactly one of the three final states.
type JobState string

// The states of a job.
const (
	JobRunning   JobState = "RUNNING"
	JobSucceeded JobState = "SUCCEEDED"
	JobFailed    JobState = "FAILED"
	JobCancelled JobState = "CANCELLED"
)

// maxFinishedJobs is how many finished jobs a table keeps (the most recently finished);
// running jobs are always kept.
const maxFinishedJobs = 100

// Job is one training job. All methods are safe for concurrent use; the accessors read a
// snapshot, so a running job's Iteration and Loss move between calls.
type Job struct {
	seq       int
	model     string
	statement string
	started   time.Time
	progress  *Progress
	cancel    context.CancelFunc
	done      chan struct{} // closed after the final state is set

	mu        sync.Mutex
	state     JobState
	ended     time.Time
	err       error
	result    string
	cancelled bool // Cancel was called while running
}

// ID returns the job's id, "job_N".
func (j *Job) ID() string { return jobID(j.seq) }

func jobID(seq int) string { return "job_" + strconv.Itoa(seq) }

// Model returns the name of the model the job trains.
func (j *Job) Model() string { return j.model }

// Statement returns the text of the statement that started the job.
func (j *Job) Statement() string { return j.statement }

// State returns the job's state.
func (j *Job) State() JobState {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.state
}

// Iteration returns the trainer's last reported iteration (0 before any).
func (j *Job) Iteration() int { return j.progress.Iteration() }

// Loss returns the trainer's last reported loss; ok is false before any.
func (j *Job) Loss() (loss float64, ok bool) { return j.progress.Loss() }

// Started returns when the job started.
func (j *Job) Started() time.Time { return j.started }

// Elapsed returns the job's running time: until now while it runs, until its end after.
func (j *Job) Elapsed() time.Duration {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.state == JobRunning {
		return time.Since(j.started)
	}
	return j.ended.Sub(j.started)
}

// Err returns the error of a FAILED or CANCELLED job, nil otherwise. A FAILED job's error is
// the one its run returned (a panic becomes an internal error naming the job); a CANCELLED
// job's wraps context.Canceled (errors.Is(err, context.Canceled) and errs.ErrCanceled).
func (j *Job) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// Result returns the message of a SUCCEEDED job ("Created model m@3"), "" otherwise.
func (j *Job) Result() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.result
}

// Done returns a channel closed when the job has finished (its state is final).
func (j *Job) Done() <-chan struct{} { return j.done }

// Wait waits until the job finishes and returns Err(), or until ctx is done and returns a
// canceled error about the waiting (the job goes on).
func (j *Job) Wait(ctx context.Context) error {
	select {
	case <-j.done:
		return j.Err()
	case <-ctx.Done():
		return errs.Wrap(errs.ErrCanceled, ctx.Err(), "stopped waiting for job %s", j.ID())
	}
}

// Cancel asks a running job to stop: its run's context is cancelled, and the job becomes
// CANCELLED when run returns with an error (a run that still returns success made its
// model, and the job SUCCEEDED). Cancel returns at once, and does nothing to a finished job.
func (j *Job) Cancel() { j.tryCancel() }

// tryCancel cancels a running job; it returns the state the job was in.
func (j *Job) tryCancel() JobState {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.state == JobRunning {
		j.cancelled = true
		j.cancel()
	}
	return j.state
}

// finish records run's outcome; it runs once, on the job's goroutine, which then retires
// the job from its table and closes done (so a waiter sees the table trimmed).
func (j *Job) finish(result string, err error) {
	j.mu.Lock()
	switch {
	case err == nil:
		j.state, j.result = JobSucceeded, result
	case j.cancelled:
		j.state = JobCancelled
		j.err = errs.Wrap(errs.ErrCanceled, context.Canceled, "job %s (model %s) was cancelled", j.ID(), j.model)
	default:
		j.state, j.err = JobFailed, err
	}
	j.ended = time.Now()
	j.cancel() // releases the context's resources
	j.mu.Unlock()
}

// Jobs is a table of training jobs: every job started, running ones always and the last
// maxFinishedJobs finished ones. Ids are job_1, job_2, ... in start order. Safe for
// concurrent use.
type Jobs struct {
	mu       sync.Mutex
	next     int          // the last seq given out
	jobs     map[int]*Job // by seq
	finished []*Job       // finished jobs still in jobs, in finishing order
}

// NewJobs returns an empty table (tests; the process uses DefaultJobs).
func NewJobs() *Jobs { return &Jobs{jobs: map[int]*Job{}} }

var defaultJobs = sync.OnceValue(NewJobs)

// DefaultJobs returns the process's job table, shared by every session.
func DefaultJobs() *Jobs { return defaultJobs() }

// Start runs run on a new goroutine as a job training model, started by the statement
// statement, and returns the job (RUNNING). run's context derives from
// context.Background(), not from the statement's, and carries a Progress (WithProgress) that
// the trainer's ReportProgress calls fill; it is cancelled by Cancel. run returns a result
// message (Job.Result) or an error; a panic in run makes the job FAILED with an internal
// error naming the job.
func (t *Jobs) Start(model, statement string, run func(ctx context.Context) (string, error)) *Job {
	p := &Progress{}
	ctx, cancel := context.WithCancel(WithProgress(context.Background(), p))
	j := &Job{model: model, statement: statement, started: time.Now(), progress: p,
		cancel: cancel, done: make(chan struct{}), state: JobRunning}
	t.mu.Lock()
	t.next++
	j.seq = t.next
	t.jobs[j.seq] = j
	t.mu.Unlock()
	go func() {
		result, err := runJob(ctx, j, run)
		j.finish(result, err)
		t.retire(j)
		close(j.done)
	}()
	return j
}

// runJob calls run, turning a panic into an error naming the job.
func runJob(ctx context.Context, j *Job, run func(ctx context.Context) (string, error)) (result string, err error) {
	defer func() {
		if r := recover(); r != nil {
			result, err = "", errs.Wrap(errs.ErrInternal, errs.FromPanic(r), "job %s (model %s) panicked", j.ID(), j.model)
		}
	}()
	return run(ctx)
}

// retire records that j finished and drops the oldest finished job beyond
// maxFinishedJobs.
func (t *Jobs) retire(j *Job) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.finished = append(t.finished, j)
	if len(t.finished) > maxFinishedJobs {
		delete(t.jobs, t.finished[0].seq)
		t.finished = slices.Delete(t.finished, 0, 1)
	}
}

// Get returns the job with id "job_N" or "N" (job_ in any case). An unknown id is an error
// that lists some known ids.
func (t *Jobs) Get(id string) (*Job, error) {
	seq, ok := parseJobID(id)
	if !ok {
		return nil, errs.Planf("%q is not a job id: job ids look like job_3 (or 3)", id)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if j := t.jobs[seq]; j != nil {
		return j, nil
	}
	return nil, errs.Planf("no job %s; %s", jobID(seq), t.knownLocked())
}

// parseJobID reads "job_N" or "N" (N ≥ 1).
func parseJobID(id string) (int, bool) {
	s := strings.TrimSpace(id)
	if len(s) > 4 && strings.EqualFold(s[:4], "job_") {
		s = s[4:]
	}
	if s == "" || s[0] < '0' || s[0] > '9' { // Atoi takes signs
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1
}

// knownLocked describes the table's ids for an error: the newest few (t.mu held).
func (t *Jobs) knownLocked() string {
	if len(t.jobs) == 0 {
		return "there are no jobs"
	}
	const few = 10
	seqs := make([]int, 0, len(t.jobs))
	for s := range t.jobs {
		seqs = append(seqs, s)
	}
	slices.Sort(seqs)
	more := ""
	if len(seqs) > few {
		more = fmt.Sprintf(" (and %d older)", len(seqs)-few)
		seqs = seqs[len(seqs)-few:]
	}
	ids := make([]string, len(seqs))
	for i, s := range seqs {
		ids[i] = jobID(s)
	}
	return "known jobs: " + strings.Join(ids, ", ") + more
}

// List returns the table's jobs in id order (numeric: job_9 before job_10).
func (t *Jobs) List() []*Job {
	t.mu.Lock()
	out := make([]*Job, 0, len(t.jobs))
	for _, j := range t.jobs {
		out = append(out, j)
	}
	t.mu.Unlock()
	slices.SortFunc(out, func(a, b *Job) int { return a.seq - b.seq })
	return out
}

// Cancel cancels the running job id (see Job.Cancel: it returns at once, and the job is
// CANCELLED when its run returns) and returns it. An unknown id, or a job that has already
// finished, is an error.
func (t *Jobs) Cancel(id string) (*Job, error) {
	j, err := t.Get(id)
	if err != nil {
		return nil, err
	}
	if st := j.tryCancel(); st != JobRunning {
		return nil, errs.Planf("job %s has already finished: it is %s", j.ID(), st)
	}
	return j, nil
}
