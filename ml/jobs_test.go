package ml

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/embersql/ember/internal/errs"
)

// waitJob waits for j to finish; the jobs in these tests all end on their own or when
// cancelled, so a hang here is a bug the test timeout reports.
func waitJob(t *testing.T, j *Job) error {
	t.Helper()
	return j.Wait(context.Background())
}

func TestJobsSucceedAndFail(t *testing.T) {
	jobs := NewJobs()
	ok := jobs.Start("m", "CREATE MODEL m ... ASYNC", func(ctx context.Context) (string, error) {
		return "Created model m@3", nil
	})
	boom := errs.Planf("label column \"y\" does not exist")
	bad := jobs.Start("n", "CREATE MODEL n ... ASYNC", func(ctx context.Context) (string, error) {
		return "ignored", boom
	})
	if err := waitJob(t, ok); err != nil {
		t.Fatal(err)
	}
	if ok.ID() != "job_1" || ok.Model() != "m" || ok.Statement() != "CREATE MODEL m ... ASYNC" {
		t.Errorf("job %s %s %q", ok.ID(), ok.Model(), ok.Statement())
	}
	if ok.State() != JobSucceeded || ok.Result() != "Created model m@3" || ok.Err() != nil {
		t.Errorf("state %s result %q err %v", ok.State(), ok.Result(), ok.Err())
	}
	if err := waitJob(t, bad); err != boom {
		t.Errorf("Wait = %v, want run's error", err)
	}
	if bad.ID() != "job_2" || bad.State() != JobFailed || bad.Err() != boom || bad.Result() != "" {
		t.Errorf("job %s state %s err %v result %q", bad.ID(), bad.State(), bad.Err(), bad.Result())
	}
	// A finished job's elapsed time is fixed, and not before its start.
	if e1, e2 := ok.Elapsed(), ok.Elapsed(); e1 != e2 || e1 < 0 {
		t.Errorf("elapsed %v then %v", e1, e2)
	}
	if ok.Started().IsZero() {
		t.Error("no start time")
	}
	if l := jobs.List(); len(l) != 2 || l[0] != ok || l[1] != bad {
		t.Errorf("List = %v", l)
	}
	for _, id := range []string{"job_1", "1", "JOB_1", " job_1 "} {
		if j, err := jobs.Get(id); err != nil || j != ok {
			t.Errorf("Get(%q) = %v, %v", id, j, err)
		}
	}
	for id, want := range map[string]string{
		"job_9": "no job job_9; known jobs: job_1, job_2",
		"9":     "no job job_9; known jobs: job_1, job_2",
		"x":     `"x" is not a job id`,
		"job_":  `"job_" is not a job id`,
		"0":     `"0" is not a job id`,
		"-1":    `"-1" is not a job id`,
		"job_+": `"job_+" is not a job id`,
	} {
		_, err := jobs.Get(id)
		if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, errs.ErrPlan) {
			t.Errorf("Get(%q) = %v, want %q", id, err, want)
		}
	}
	_, err := jobs.Cancel("job_1")
	if err == nil || !strings.Contains(err.Error(), "job job_1 has already finished: it is SUCCEEDED") {
		t.Errorf("Cancel of a finished job: %v", err)
	}
	_, err = jobs.Cancel("2")
	if err == nil || !strings.Contains(err.Error(), "it is FAILED") {
		t.Errorf("Cancel of a failed job: %v", err)
	}
	if _, err := NewJobs().Get("job_1"); err == nil || !strings.Contains(err.Error(), "there are no jobs") {
		t.Errorf("Get in an empty table: %v", err)
	}
}

func TestJobsProgressAndCancel(t *testing.T) {
	jobs := NewJobs()
	reported := make(chan struct{})
	var runErr error // written by run before it returns, read after Wait
	j := jobs.Start("m", "s", func(ctx context.Context) (string, error) {
		ReportProgress(ctx, 3, 0.25)
		close(reported)
		<-ctx.Done()
		runErr = ctx.Err()
		return "", ctx.Err()
	})
	<-reported
	if j.State() != JobRunning || j.Iteration() != 3 {
		t.Errorf("state %s iteration %d", j.State(), j.Iteration())
	}
	if loss, ok := j.Loss(); !ok || loss != 0.25 {
		t.Errorf("loss %v %v", loss, ok)
	}
	if j.Err() != nil || j.Result() != "" || j.Elapsed() < 0 {
		t.Errorf("running job: err %v result %q elapsed %v", j.Err(), j.Result(), j.Elapsed())
	}
	select {
	case <-j.Done():
		t.Fatal("done while running")
	default:
	}
	// Waiting with a cancelled context stops the waiting, not the job.
	wctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := j.Wait(wctx); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped waiting for job job_1") {
		t.Errorf("Wait(cancelled ctx) = %v", err)
	}
	if j.State() != JobRunning {
		t.Errorf("state %s after a cancelled wait", j.State())
	}
	got, err := jobs.Cancel("job_1")
	if err != nil || got != j {
		t.Fatalf("Cancel = %v, %v", got, err)
	}
	err = waitJob(t, j)
	if runErr != context.Canceled {
		t.Errorf("run's context error %v", runErr)
	}
	if j.State() != JobCancelled || err != j.Err() {
		t.Errorf("state %s, Wait %v, Err %v", j.State(), err, j.Err())
	}
	if !errors.Is(err, context.Canceled) || !errors.Is(err, errs.ErrCanceled) ||
		!strings.Contains(err.Error(), "job job_1 (model m) was cancelled") {
		t.Errorf("cancelled job's error %v", err)
	}
	if _, err := jobs.Cancel("job_1"); err == nil || !strings.Contains(err.Error(), "it is CANCELLED") {
		t.Errorf("second Cancel: %v", err)
	}
	j.Cancel() // a no-op on a finished job
	if j.State() != JobCancelled {
		t.Errorf("state %s", j.State())
	}
}

// A run that returns success although it was cancelled made its model: the job succeeded.
func TestJobsCancelAfterSuccess(t *testing.T) {
	jobs := NewJobs()
	started, release := make(chan struct{}), make(chan struct{})
	j := jobs.Start("m", "s", func(ctx context.Context) (string, error) {
		close(started)
		<-release
		return "Created model m@1", nil
	})
	<-started
	j.Cancel()
	close(release)
	if err := waitJob(t, j); err != nil || j.State() != JobSucceeded {
		t.Errorf("state %s err %v", j.State(), err)
	}
}

func TestJobsPanic(t *testing.T) {
	jobs := NewJobs()
	jobs.Start("a", "s", func(ctx context.Context) (string, error) { return "", nil })
	j := jobs.Start("m", "s", func(ctx context.Context) (string, error) {
		panic(fmt.Sprintf("trainer bug in %s", "m"))
	})
	err := waitJob(t, j)
	if j.State() != JobFailed || err == nil || err != j.Err() {
		t.Fatalf("state %s err %v", j.State(), err)
	}
	if !errors.Is(err, errs.ErrInternal) || !strings.Contains(err.Error(), "job job_2 (model m) panicked") ||
		!strings.Contains(err.Error(), "trainer bug in m") {
		t.Errorf("panic error %v", err)
	}
}

func TestJobsConcurrentStarts(t *testing.T) {
	jobs := NewJobs()
	const n = 50
	release := make(chan struct{})
	started := make([]*Job, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started[i] = jobs.Start(fmt.Sprintf("m%d", i), "s", func(ctx context.Context) (string, error) {
				ReportProgress(ctx, i, float64(i))
				<-release
				return fmt.Sprint(i), nil
			})
		}()
	}
	wg.Wait()
	// Readers race with the running jobs (the race detector checks the accessors).
	for _, j := range jobs.List() {
		_, _ = j.State(), j.Iteration()
		_, _ = j.Loss()
		_ = j.Elapsed()
	}
	close(release)
	seen := map[string]bool{}
	for i, j := range started {
		if err := waitJob(t, j); err != nil {
			t.Fatal(err)
		}
		if seen[j.ID()] {
			t.Errorf("id %s given twice", j.ID())
		}
		seen[j.ID()] = true
		if j.Result() != fmt.Sprint(i) || j.Iteration() != i || j.Model() != fmt.Sprintf("m%d", i) {
			t.Errorf("job %s: result %q iteration %d model %s", j.ID(), j.Result(), j.Iteration(), j.Model())
		}
	}
	list := jobs.List()
	if len(list) != n {
		t.Fatalf("%d jobs listed", len(list))
	}
	for i, j := range list {
		if want := fmt.Sprintf("job_%d", i+1); j.ID() != want {
			t.Errorf("List[%d] = %s, want %s (numeric order)", i, j.ID(), want)
		}
	}
}

// The table keeps the last maxFinishedJobs finished jobs, and every running one.
func TestJobsBounded(t *testing.T) {
	jobs := NewJobs()
	release := make(chan struct{})
	long := jobs.Start("long", "s", func(ctx context.Context) (string, error) {
		<-release
		return "", nil
	})
	for range maxFinishedJobs + 5 {
		j := jobs.Start("m", "s", func(ctx context.Context) (string, error) { return "", nil })
		if err := waitJob(t, j); err != nil {
			t.Fatal(err)
		}
	}
	list := jobs.List()
	if len(list) != maxFinishedJobs+1 || list[0] != long || list[1].ID() != "job_7" {
		t.Fatalf("%d jobs, first %s, second %s", len(list), list[0].ID(), list[1].ID())
	}
	_, err := jobs.Get("job_2")
	if err == nil || !strings.Contains(err.Error(), "known jobs: job_97, ") || !strings.Contains(err.Error(), "(and 91 older)") {
		t.Errorf("Get of a dropped job: %v", err)
	}
	close(release)
	if err := waitJob(t, long); err != nil {
		t.Fatal(err)
	}
	// long finished last: the oldest finished one (job_7) goes.
	if list := jobs.List(); len(list) != maxFinishedJobs || list[0] != long || list[1].ID() != "job_8" {
		t.Errorf("%d jobs, first %s, second %s", len(list), list[0].ID(), list[1].ID())
	}
}

func TestDefaultJobs(t *testing.T) {
	if a, b := DefaultJobs(), DefaultJobs(); a == nil || a != b {
		t.Error("DefaultJobs is not one table")
	}
}
