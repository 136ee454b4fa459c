#include "kept_runtime.h"

extern void *swift_task_enqueueGlobal_hook;

void **kept_concurrency_enqueue_hook(void) { return &swift_task_enqueueGlobal_hook; }
