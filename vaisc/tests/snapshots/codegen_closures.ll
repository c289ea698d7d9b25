; ModuleID = 'vais'
source_filename = "vais"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%mk.closure.1.env = type { i64 }
%main.closure.1.env = type { i64 }

@vais_argc = global i32 0
@vais_argv = global i8** null

define internal { i8*, i8* } @mk(i64 %0) {
entry:
  %env.heap = call i8* @malloc(i64 8)
  %env = bitcast i8* %env.heap to %mk.closure.1.env*
  %field = getelementptr inbounds %mk.closure.1.env, %mk.closure.1.env* %env, i32 0, i32 0
  store i64 %0, i64* %field, align 8
  %env1 = bitcast %mk.closure.1.env* %env to i8*
  %closure = insertvalue { i8*, i8* } { i8* bitcast (i64 (i8*, i64)* @mk.closure.1 to i8*), i8* undef }, i8* %env1, 1
  ret { i8*, i8* } %closure
}

define internal i64 @twice(i64 %0) {
entry:
  %mul = mul i64 %0, 2
  ret i64 %mul
}

define internal i64 @ap({ i8*, i8* } %0, i64 %1) {
entry:
  %code = extractvalue { i8*, i8* } %0, 0
  %env = extractvalue { i8*, i8* } %0, 1
  %code1 = bitcast i8* %code to i64 (i8*, i64)*
  %call = call i64 %code1(i8* %env, i64 %1)
  ret i64 %call
}

define internal i64 @vais_main() {
entry:
  %tmp = alloca %main.closure.1.env, align 8
  %field = getelementptr inbounds %main.closure.1.env, %main.closure.1.env* %tmp, i32 0, i32 0
  store i64 3, i64* %field, align 8
  %env = bitcast %main.closure.1.env* %tmp to i8*
  %closure = insertvalue { i8*, i8* } { i8* bitcast (i64 (i8*, i64)* @main.closure.1 to i8*), i8* undef }, i8* %env, 1
  %call = call { i8*, i8* } @mk(i64 1)
  %code = extractvalue { i8*, i8* } %call, 0
  %env1 = extractvalue { i8*, i8* } %call, 1
  %code2 = bitcast i8* %code to i64 (i8*, i64)*
  %code3 = extractvalue { i8*, i8* } %closure, 0
  %env4 = extractvalue { i8*, i8* } %closure, 1
  %code5 = bitcast i8* %code3 to i64 (i8*, i64)*
  %call6 = call i64 %code5(i8* %env4, i64 2)
  %call7 = call i64 %code2(i8* %env1, i64 %call6)
  %call8 = call i64 @ap({ i8*, i8* } { i8* bitcast (i64 (i8*, i64)* @__vais_closure_thunk.0 to i8*), i8* bitcast (i64 (i64)* @twice to i8*) }, i64 1)
  %add = add i64 %call7, %call8
  %call9 = call i64 @ap({ i8*, i8* } { i8* bitcast (i64 (i8*, i64)* @main.closure.3 to i8*), i8* null }, i64 0)
  %add10 = add i64 %add, %call9
  %call11 = call i64 @main.closure.2(i64 5)
  %add12 = add i64 %add10, %call11
  ret i64 %add12
}

define internal i64 @mk.closure.1(i8* %0, i64 %1) #0 {
entry:
  %conv = bitcast i8* %0 to %mk.closure.1.env*
  %field = getelementptr inbounds %mk.closure.1.env, %mk.closure.1.env* %conv, i32 0, i32 0
  %load = load i64, i64* %field, align 8
  %add = add i64 %1, %load
  ret i64 %add
}

define internal i64 @main.closure.1(i8* %0, i64 %1) #1 {
entry:
  %conv = bitcast i8* %0 to %main.closure.1.env*
  %field = getelementptr inbounds %main.closure.1.env, %main.closure.1.env* %conv, i32 0, i32 0
  %load = load i64, i64* %field, align 8
  %mul = mul i64 %1, %load
  ret i64 %mul
}

define internal i64 @main.closure.2(i64 %0) {
entry:
  %sub = sub i64 %0, 1
  ret i64 %sub
}

define internal i64 @main.closure.3(i8* %0, i64 %1) #1 {
entry:
  ret i64 %1
}

declare i8* @malloc(i64)

define internal i64 @__vais_closure_thunk.0(i8* %0, i64 %1) #1 {
entry:
  %fn = bitcast i8* %0 to i64 (i64)*
  %call = call i64 %fn(i64 %1)
  ret i64 %call
}

define i32 @main(i32 %0, i8** %1) {
entry:
  store i32 %0, i32* @vais_argc, align 4
  store i8** %1, i8*** @vais_argv, align 8
  %status = call i64 @vais_main()
  %exit = trunc i64 %status to i32
  ret i32 %exit
}

attributes #0 = { "vais-pin-on-use" }
attributes #1 = { "vais-local-code" }
