/* The C twin of vec_push.vais, compiled with cc -O2 for comparison: an array grown by
   doubling with realloc, as std/vec grows. */
#include <stdio.h>
#include <stdlib.h>
int main(void) {
    long *data = NULL;
    long len = 0, cap = 0;
    for (long i = 0; i < 10000000; i++) {
        if (len == cap) {
            cap = cap * 2 < 4 ? 4 : cap * 2;
            data = realloc(data, cap * sizeof(long));
        }
        data[len++] = i * 3 % 1000;
    }
    long t = 0;
    for (long i = 0; i < len; i++) {
        t += data[i];
    }
    printf("%ld %ld\n", len, t);
    free(data);
    return 0;
}
