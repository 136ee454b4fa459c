#ifndef KEPT_RUNTIME_H
#define KEPT_RUNTIME_H

/// Where Swift concurrency's runtime keeps its global-enqueue hook, found by the link itself: a
/// program linked with the static Swift runtime hides the symbol from dlsym.
void **kept_concurrency_enqueue_hook(void);

#endif
