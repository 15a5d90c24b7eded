package main

import (
	"context"
	"fmt"

	"ksmart/store"
)

func runRestore(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "restore", "--data DIR --from FILE [--force]")
	data := fs.String("data", "", "data `DIR`ectory to restore into (the appliance must be stopped)")
	from := fs.String("from", "", "backup `FILE` written by 'ksmart backup'")
	force := fs.Bool("force", false, "replace an existing store (the old file is kept beside it)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *data == "" || *from == "" {
		return usageError{"give both --data DIR and --from FILE"}
	}
	info, err := store.Restore(*from, *data, *force)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "restored %d events into %s (last hash %s); start it with: ksmart serve --data %s\n", info.Seq, *data, short(fmt.Sprintf("%x", info.Hash)), *data)
	return nil
}
