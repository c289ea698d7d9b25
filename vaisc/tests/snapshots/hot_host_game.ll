; ModuleID = 'vais'
source_filename = "vais"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%State = type { i64 }

@vais_argc = global i32 0
@vais_argv = global i8** null
@__vais_hot_table = global [2 x i8*] [i8* bitcast (i64 (%State*)* @__vais_hot_fn.update to i8*), i8* bitcast (i64 (%State*)* @__vais_hot_fn.twice to i8*)]
@vais.hot.name = private constant [7 x i8] c"update\00"
@vais.hot.name.1 = private constant [16 x i8] c"(*State) -> i64\00"
@vais.hot.name.2 = private constant [6 x i8] c"twice\00"
@vais.hot.name.3 = private constant [16 x i8] c"(*State) -> i64\00"
@vais.hot.name.4 = private constant [13 x i8] c"struct State\00"
@vais.hot.name.5 = private constant [25 x i8] c"{ frame: i64 @0 } size 8\00"
@vais.hot.functions = private constant [2 x { i8*, i8*, i64, i64, i32, i32, i8* }] [{ i8*, i8*, i64, i64, i32, i32, i8* } { i8* getelementptr inbounds ([7 x i8], [7 x i8]* @vais.hot.name, i32 0, i32 0), i8* getelementptr inbounds ([16 x i8], [16 x i8]* @vais.hot.name.1, i32 0, i32 0), i64 -3153707101477066845, i64 8947475829725085113, i32 0, i32 0, i8* bitcast (i64 (%State*)* @__vais_hot_fn.update to i8*) }, { i8*, i8*, i64, i64, i32, i32, i8* } { i8* getelementptr inbounds ([6 x i8], [6 x i8]* @vais.hot.name.2, i32 0, i32 0), i8* getelementptr inbounds ([16 x i8], [16 x i8]* @vais.hot.name.3, i32 0, i32 0), i64 -3153707101477066845, i64 -3105924112369226777, i32 1, i32 0, i8* bitcast (i64 (%State*)* @__vais_hot_fn.twice to i8*) }]
@vais.hot.layouts = private constant [1 x { i8*, i8*, i64 }] [{ i8*, i8*, i64 } { i8* getelementptr inbounds ([13 x i8], [13 x i8]* @vais.hot.name.4, i32 0, i32 0), i8* getelementptr inbounds ([25 x i8], [25 x i8]* @vais.hot.name.5, i32 0, i32 0), i64 -4109443202484031134 }]
@__vais_hot_manifest = protected constant { i32, i32, i64, i32, i32, i32, i32, i8*, i8* } { i32 3, i32 0, i64 2087432831185312278, i32 2, i32 1, i32 0, i32 0, i8* bitcast ([2 x { i8*, i8*, i64, i64, i32, i32, i8* }]* @vais.hot.functions to i8*), i8* bitcast ([1 x { i8*, i8*, i64 }]* @vais.hot.layouts to i8*) }
@vais.hot.compiler = private unnamed_addr constant [6 x i8] c"vaisc\00", align 1

; Function Attrs: noinline null_pointer_is_valid uwtable
define dso_local i64 @__vais_hot_fn.update(%State* %0) #0 {
entry:
  %s = alloca %State*, align 8
  store %State* %0, %State** %s, align 8
  %load = load %State*, %State** %s, align 8
  %field = getelementptr inbounds %State, %State* %load, i32 0, i32 0
  %old = load i64, i64* %field, align 8
  %add = add i64 %old, 1
  store i64 %add, i64* %field, align 8
  %load1 = load %State*, %State** %s, align 8
  %field2 = getelementptr inbounds %State, %State* %load1, i32 0, i32 0
  %load3 = load i64, i64* %field2, align 8
  ret i64 %load3
}

; Function Attrs: noinline null_pointer_is_valid uwtable
define dso_local i64 @__vais_hot_fn.twice(%State* %0) #0 {
entry:
  %s = alloca %State*, align 8
  store %State* %0, %State** %s, align 8
  %load = load %State*, %State** %s, align 8
  %body.i = load atomic i8*, i8** getelementptr inbounds ([2 x i8*], [2 x i8*]* @__vais_hot_table, i64 0, i64 0) acquire, align 8
  %fn.i = bitcast i8* %body.i to i64 (%State*)*
  %r.i = call i64 %fn.i(%State* %load)
  %load1 = load %State*, %State** %s, align 8
  %body.i3 = load atomic i8*, i8** getelementptr inbounds ([2 x i8*], [2 x i8*]* @__vais_hot_table, i64 0, i64 0) acquire, align 8
  %fn.i4 = bitcast i8* %body.i3 to i64 (%State*)*
  %r.i5 = call i64 %fn.i4(%State* %load1)
  %add = add i64 %r.i, %r.i5
  ret i64 %add
}

; Function Attrs: null_pointer_is_valid uwtable
define internal i64 @run(i64 (%State*)* %0, %State* %1) #1 {
entry:
  %f = alloca i64 (%State*)*, align 8
  store i64 (%State*)* %0, i64 (%State*)** %f, align 8
  %s = alloca %State*, align 8
  store %State* %1, %State** %s, align 8
  %load = load i64 (%State*)*, i64 (%State*)** %f, align 8
  %load1 = load %State*, %State** %s, align 8
  %call = call i64 %load(%State* %load1)
  ret i64 %call
}

; Function Attrs: null_pointer_is_valid uwtable
define internal i64 @vais_main() #1 {
entry:
  %s = alloca %State, align 8
  %field = getelementptr inbounds %State, %State* %s, i32 0, i32 0
  store i64 0, i64* %field, align 8
  %body.i = load atomic i8*, i8** getelementptr inbounds ([2 x i8*], [2 x i8*]* @__vais_hot_table, i64 0, i64 1) acquire, align 8
  %fn.i = bitcast i8* %body.i to i64 (%State*)*
  %r.i = call i64 %fn.i(%State* %s)
  %call1 = call i64 @run(i64 (%State*)* @__vais_hot_entry.update, %State* %s)
  %add = add i64 %r.i, %call1
  ret i64 %add
}

; Function Attrs: null_pointer_is_valid uwtable
define i32 @main(i32 %0, i8** %1) #1 {
entry:
  call void @vais_hot_runtime_init(i8* bitcast ({ i32, i32, i64, i32, i32, i32, i32, i8*, i8* }* @__vais_hot_manifest to i8*), i8** getelementptr inbounds ([2 x i8*], [2 x i8*]* @__vais_hot_table, i32 0, i32 0), i8* getelementptr inbounds ([6 x i8], [6 x i8]* @vais.hot.compiler, i32 0, i32 0))
  store i32 %0, i32* @vais_argc, align 4
  store i8** %1, i8*** @vais_argv, align 8
  %status = call i64 @vais_main()
  %exit = trunc i64 %status to i32
  ret i32 %exit
}

; Function Attrs: alwaysinline null_pointer_is_valid uwtable
define i64 @__vais_hot_entry.update(%State* %0) #2 {
entry:
  %body = load atomic i8*, i8** getelementptr inbounds ([2 x i8*], [2 x i8*]* @__vais_hot_table, i64 0, i64 0) acquire, align 8
  %fn = bitcast i8* %body to i64 (%State*)*
  %r = tail call i64 %fn(%State* %0)
  ret i64 %r
}

; Function Attrs: alwaysinline null_pointer_is_valid uwtable
define i64 @__vais_hot_entry.twice(%State* %0) #2 {
entry:
  %body = load atomic i8*, i8** getelementptr inbounds ([2 x i8*], [2 x i8*]* @__vais_hot_table, i64 0, i64 1) acquire, align 8
  %fn = bitcast i8* %body to i64 (%State*)*
  %r = tail call i64 %fn(%State* %0)
  ret i64 %r
}

declare void @vais_hot_runtime_init(i8*, i8**, i8*)

attributes #0 = { noinline null_pointer_is_valid uwtable "frame-pointer"="all" }
attributes #1 = { null_pointer_is_valid uwtable "frame-pointer"="all" }
attributes #2 = { alwaysinline null_pointer_is_valid uwtable "frame-pointer"="all" }
