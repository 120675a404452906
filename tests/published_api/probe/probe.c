/* Runs inside the backend sandbox (tests/published_api/test_kernel_sandbox.py) and reports, as one JSON object,
 * what it can see and do there: the kernel's view, whatever Deno's own permissions would allow. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static void list_dir(const char *key, const char *path) {
    printf("\"%s\": [", key);
    DIR *dir = opendir(path);
    int first = 1;
    if (dir) {
        struct dirent *entry;
        while ((entry = readdir(dir))) {
            if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
            printf("%s\"%s\"", first ? "" : ", ", entry->d_name);
            first = 0;
        }
        closedir(dir);
    }
    printf("], ");
}

static void errno_of(const char *key, long result) {
    printf("\"%s\": \"%s\", ", key, result == -1 ? strerrorname_np(errno) : "ok");
}

int main(int argc, char **argv) {
    char buffer[4096] = {0};
    int fd = open("/proc/1/cmdline", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buffer, sizeof buffer - 1) : -1;
    for (ssize_t i = 0; i < n; i++) if (buffer[i] == 0 || buffer[i] == '"' || buffer[i] == '\\') buffer[i] = ' ';
    printf("{\"uid\": %d, \"gid\": %d, \"pid\": %d, ", getuid(), getgid(), getpid());
    printf("\"proc1\": \"%s\", ", buffer);
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    printf("\"hostname\": \"%s\", ", host);
    list_dir("root", "/");
    list_dir("tmp", "/tmp");
    list_dir("run", "/run/stage");
    list_dir("procs", "/proc");
    errno_of("checkout", access(argc > 1 ? argv[1] : "/nonexistent", F_OK));
    errno_of("pgsocket", access("/var/run/postgresql/.s.PGSQL.5432", F_OK));
    errno_of("etc_passwd", access("/etc/passwd", F_OK));
    errno_of("unshare_user", unshare(CLONE_NEWUSER));
    errno_of("ptrace", ptrace(PTRACE_TRACEME, 0, 0, 0));
    errno_of("mount", mount("none", "/tmp", "tmpfs", 0, NULL));
    errno_of("keyctl", syscall(SYS_keyctl, 0, 0, 0, 0, 0));
    errno_of("bpf", syscall(SYS_bpf, 0, 0, 0));
    errno_of("write_tmp", open("/tmp/x", O_CREAT | O_WRONLY, 0600));
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(5432), .sin_addr.s_addr = htonl(0x7f000001)};
    errno_of("connect_postgres", sock < 0 ? -1 : connect(sock, (struct sockaddr *)&addr, sizeof addr));
    printf("\"done\": true}\n");
    return 0;
}
