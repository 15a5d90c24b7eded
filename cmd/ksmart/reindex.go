package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"ksmart/appliance"
	"ksmart/store"
)

func runReindex(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "reindex", "--data DIR")
	data := fs.String("data", "", "data `DIR`ectory of a stopped appliance")
	if err := parse(fs, args); err != nil {
		return err
	}
	if _, err := storeFile(*data, ""); err != nil {
		return err
	}
	app, err := appliance.Open(appliance.Config{Dir: *data, Logger: slog.New(slog.DiscardHandler), LockTimeout: time.Second, RebuildIndex: true})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("%s is in use by a running ksmart; stop it first (a running appliance keeps its index up to date by itself, and rebuilds a damaged one at start)", *data)
	}
	if err != nil {
		return err
	}
	defer app.Close()
	start := time.Now()
	last := app.Store.LastSeq()
	bar := reindexBar(env, int64(last))
	app.Search.Progress(func(applied, _ uint64) {
		if bar != nil {
			bar.Set64(int64(applied))
		}
	})
	if err := app.Search.CatchUp(ctx, app.Store); err != nil {
		return fmt.Errorf("rebuilding the index stopped: %w; run ksmart reindex again", err)
	}
	if bar != nil {
		bar.Finish()
	}
	if err := app.Search.Compact(ctx); err != nil {
		return fmt.Errorf("the index was rebuilt, but merging its segments failed: %w; it works as it is", err)
	}
	docs, _ := app.Search.Count()
	took := time.Since(start)
	fmt.Fprintf(env.stdout, "index rebuilt: %d events read, %d records indexed, %s on disk, in %s (%.0f events/s)\n",
		last, docs, humanBytes(app.Search.Size()), took.Round(100*time.Millisecond), float64(last)/max(took.Seconds(), 1e-9))
	return nil
}

// reindexBar is a progress bar over the log's events, on a terminal only.
func reindexBar(env *env, total int64) *progressbar.ProgressBar {
	f, ok := env.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(total, progressbar.OptionSetWriter(env.stderr), progressbar.OptionSetDescription("indexing the log"),
		progressbar.OptionSetWidth(30), progressbar.OptionShowCount(), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
}

// humanBytes writes a size the way people read it: 23.4 MiB.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
