/* The C twin of closures.vais: the same fold written as a plain loop. */
#include <stdio.h>
#include <time.h>

int main(void) {
    long k = time(0) % 1 + 3;
    long acc = 0;
    for (long i = 0; i < 200000000; i++) {
        acc = (acc + i * k) % 1000003;
    }
    printf("%ld\n", acc);
    return 0;
}
