#include "ThreadPriority.h"

#include <QThread>
#if defined(Q_OS_LINUX)
#include <cerrno>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace cd {

bool lowerThreadPriority(int by, qint64 linuxThreadId)
{
#if defined(Q_OS_LINUX)
    const auto who = linuxThreadId > 0 ? id_t(linuxThreadId) : id_t(syscall(SYS_gettid));
    errno = 0;
    const int nice = getpriority(PRIO_PROCESS, who);
    return errno == 0 && setpriority(PRIO_PROCESS, who, qMin(19, nice + by)) == 0;
#else
    Q_UNUSED(by);
    if (linuxThreadId == 0)
        QThread::currentThread()->setPriority(QThread::LowPriority);
    return true;
#endif
}

} // namespace cd
