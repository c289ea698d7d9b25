; ModuleID = 'vais'
source_filename = "vais"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%P = type { i64, double }
%E2 = type { i32, i64 }

@g = internal global i64 3
@.str = private unnamed_addr constant [8 x i8] c"%ld %s\0A\00"
@.str.1 = private unnamed_addr constant [3 x i8] c"hi\00"
@vais_argc = global i32 0
@vais_argv = global i8** null

define internal i64 @step(%P* %0) {
entry:
  %field = getelementptr inbounds %P, %P* %0, i32 0, i32 0
  %old = load i64, i64* %field, align 8
  %add = add i64 %old, 1
  store i64 %add, i64* %field, align 8
  %field1 = getelementptr inbounds %P, %P* %0, i32 0, i32 0
  %load = load i64, i64* %field1, align 8
  ret i64 %load
}

define internal i64 @vais_main() {
entry:
  %p = alloca %P, align 8
  %e = alloca %E2, align 8
  %n = alloca i64, align 8
  %field = getelementptr inbounds %P, %P* %p, i32 0, i32 0
  store i64 1, i64* %field, align 8
  %field1 = getelementptr inbounds %P, %P* %p, i32 0, i32 1
  store double 2.000000e+00, double* %field1, align 8
  %tag = getelementptr inbounds %E2, %E2* %e, i32 0, i32 0
  store i32 1, i32* %tag, align 4
  %payload = getelementptr inbounds %E2, %E2* %e, i32 0, i32 1
  %variant = bitcast i64* %payload to { i64 }*
  %field2 = getelementptr inbounds { i64 }, { i64 }* %variant, i32 0, i32 0
  store i64 4, i64* %field2, align 8
  %tag3 = getelementptr inbounds %E2, %E2* %e, i32 0, i32 0
  %tag4 = load i32, i32* %tag3, align 4
  %is = icmp eq i32 %tag4, 0
  br i1 %is, label %arm, label %next_arm

arm:                                              ; preds = %entry
  %payload5 = getelementptr inbounds %E2, %E2* %e, i32 0, i32 1
  %variant6 = bitcast i64* %payload5 to {}*
  br label %endmatch

endmatch:                                         ; preds = %arm11, %arm
  %join = phi i64 [ 0, %arm ], [ %load, %arm11 ]
  %call = call i64 @step(%P* %p)
  %add = add i64 %call, %join
  %load15 = load i64, i64* @g, align 8
  %add16 = add i64 %add, %load15
  %call17 = call i32 (i8*, ...) @printf(i8* getelementptr inbounds ([8 x i8], [8 x i8]* @.str, i32 0, i32 0), i64 %add16, i8* getelementptr inbounds ([3 x i8], [3 x i8]* @.str.1, i32 0, i32 0))
  ret i64 0

next_arm:                                         ; preds = %entry
  %tag8 = getelementptr inbounds %E2, %E2* %e, i32 0, i32 0
  %tag9 = load i32, i32* %tag8, align 4
  %is10 = icmp eq i32 %tag9, 1
  br i1 %is10, label %arm11, label %next_arm7

arm11:                                            ; preds = %next_arm
  %payload12 = getelementptr inbounds %E2, %E2* %e, i32 0, i32 1
  %variant13 = bitcast i64* %payload12 to { i64 }*
  %field14 = getelementptr inbounds { i64 }, { i64 }* %variant13, i32 0, i32 0
  %v = load i64, i64* %field14, align 8
  store i64 %v, i64* %n, align 8
  %load = load i64, i64* %n, align 8
  br label %endmatch

next_arm7:                                        ; preds = %next_arm
  unreachable
}

declare i32 @printf(i8*, ...)

define i32 @main(i32 %0, i8** %1) {
entry:
  store i32 %0, i32* @vais_argc, align 4
  store i8** %1, i8*** @vais_argv, align 8
  %status = call i64 @vais_main()
  %exit = trunc i64 %status to i32
  ret i32 %exit
}
