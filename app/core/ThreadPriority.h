#pragma once

#include <QtGlobal>

namespace cd {

// Makes a thread nicer by `by` (at most 19), so that it yields the processor to others when
// both want it. `linuxThreadId` 0: the calling thread; otherwise a thread (or a process's
// main thread) of this machine, by its Linux id. QThread::setPriority() cannot lower a normal
// thread on Linux (SCHED_OTHER has one priority): its nice value can, which is per thread
// there and inherited by the threads it starts. Elsewhere the calling thread gets
// QThread::LowPriority and another thread is left as it is. false (errno) when it failed.
bool lowerThreadPriority(int by, qint64 linuxThreadId = 0);

} // namespace cd
