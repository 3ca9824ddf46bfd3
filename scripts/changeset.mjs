await import('@changesets/cli');
