/* thread.c: background threads yield the processor to the one drawing. */

#include "config.h"

#include <sys/resource.h>
#include <unistd.h>

#include "base.h"

/*
 * Lower the calling thread's scheduling priority (Linux keeps a nice value
 * per thread). The console's worker and sync threads call this, so on a
 * machine with few cores a count or a pull running beside a key press does
 * not delay that key's repaint; when the console is idle they still get
 * every free cycle. Failure is harmless and ignored.
 */
void
thread_background(void)
{
#ifdef __linux__
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
#endif
}
