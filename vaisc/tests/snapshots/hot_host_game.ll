; ModuleID = 'vais'
source_filename = "vais"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%State = type { i64 }

@__vais_hot_pending = external global i32
@__vais_hot_layouts_moved = external global i32
@__vais_hot_local.main.s.0 = internal global { %State, %State, [64 x i8] } zeroinitializer
@__vais_hot_offset.State.frame = global i64 0
@vais_argc = global i32 0
@vais_argv = global i8** null
@__vais_hot_table = global [2 x i8*] [i8* bitcast (i64 (%State*)* @__vais_hot_fn.update to i8*), i8* bitcast (i64 (%State*)* @__vais_hot_fn.twice to i8*)]
@vais.hot.name = private constant [7 x i8] c"update\00"
@vais.hot.name.1 = private constant [16 x i8] c"(*State) -> i64\00"
@vais.hot.name.2 = private constant [6 x i8] c"twice\00"
@vais.hot.name.3 = private constant [16 x i8] c"(*State) -> i64\00"
@vais.hot.name.4 = private constant [6 x i8] c"State\00"
@vais.hot.name.5 = private constant [25 x i8] c"{ frame: i64 @0 } size 8\00"
@vais.hot.name.6 = private constant [6 x i8] c"frame\00"
@vais.hot.name.7 = private constant [4 x i8] c"i64\00"
@vais.hot.fields = private constant [1 x { i8*, i8*, i32, i32, i64, i64, i64, i8* }] [{ i8*, i8*, i32, i32, i64, i64, i64, i8* } { i8* getelementptr inbounds ([6 x i8], [6 x i8]* @vais.hot.name.6, i32 0, i32 0), i8* getelementptr inbounds ([4 x i8], [4 x i8]* @vais.hot.name.7, i32 0, i32 0), i32 16401, i32 2, i64 0, i64 8, i64 1, i8* null }]
@vais.hot.name.8 = private constant [7 x i8] c"main.s\00"
@vais.hot.name.9 = private constant [6 x i8] c"State\00"
@vais.hot.name.10 = private constant [7 x i8] c"main.s\00"
@vais.hot.name.11 = private constant [6 x i8] c"State\00"
@vais.hot.fields.12 = private constant [1 x { i8*, i8*, i32, i32, i64, i64, i64, i8* }] [{ i8*, i8*, i32, i32, i64, i64, i64, i8* } { i8* getelementptr inbounds ([7 x i8], [7 x i8]* @vais.hot.name.10, i32 0, i32 0), i8* getelementptr inbounds ([6 x i8], [6 x i8]* @vais.hot.name.11, i32 0, i32 0), i32 80, i32 0, i64 0, i64 8, i64 1, i8* null }]
@vais.hot.functions = private constant [2 x { i8*, i8*, i64, i64, i32, i32, i8* }] [{ i8*, i8*, i64, i64, i32, i32, i8* } { i8* getelementptr inbounds ([7 x i8], [7 x i8]* @vais.hot.name, i32 0, i32 0), i8* getelementptr inbounds ([16 x i8], [16 x i8]* @vais.hot.name.1, i32 0, i32 0), i64 -3153707101477066845, i64 1012853837845784361, i32 0, i32 0, i8* bitcast (i64 (%State*)* @__vais_hot_fn.update to i8*) }, { i8*, i8*, i64, i64, i32, i32, i8* } { i8* getelementptr inbounds ([6 x i8], [6 x i8]* @vais.hot.name.2, i32 0, i32 0), i8* getelementptr inbounds ([16 x i8], [16 x i8]* @vais.hot.name.3, i32 0, i32 0), i64 -3153707101477066845, i64 -769587449582735489, i32 1, i32 0, i8* bitcast (i64 (%State*)* @__vais_hot_fn.twice to i8*) }]
@vais.hot.layouts = private constant [2 x { i8*, i8*, i64, i32, i32, i64, i64, i8*, i8*, i32, i32, i8*, i8* }] [{ i8*, i8*, i64, i32, i32, i64, i64, i8*, i8*, i32, i32, i8*, i8* } { i8* getelementptr inbounds ([6 x i8], [6 x i8]* @vais.hot.name.4, i32 0, i32 0), i8* getelementptr inbounds ([25 x i8], [25 x i8]* @vais.hot.name.5, i32 0, i32 0), i64 -4109443202484031134, i32 0, i32 1, i64 8, i64 0, i8* bitcast ([1 x { i8*, i8*, i32, i32, i64, i64, i64, i8* }]* @vais.hot.fields to i8*), i8* null, i32 0, i32 0, i8* null, i8* null }, { i8*, i8*, i64, i32, i32, i64, i64, i8*, i8*, i32, i32, i8*, i8* } { i8* getelementptr inbounds ([7 x i8], [7 x i8]* @vais.hot.name.8, i32 0, i32 0), i8* getelementptr inbounds ([6 x i8], [6 x i8]* @vais.hot.name.9, i32 0, i32 0), i64 -5898710473539910794, i32 2, i32 1, i64 8, i64 80, i8* bitcast ([1 x { i8*, i8*, i32, i32, i64, i64, i64, i8* }]* @vais.hot.fields.12 to i8*), i8* null, i32 0, i32 0, i8* bitcast ({ %State, %State, [64 x i8] }* @__vais_hot_local.main.s.0 to i8*), i8* null }]
@vais.hot.new_globals = private constant [0 x { i8*, i8*, i64, i64, i64, i8*, i8* }] zeroinitializer
@__vais_hot_manifest = protected constant { i32, i32, i64, i32, i32, i32, i32, i8*, i8*, i32, i32, i8* } { i32 6, i32 0, i64 2087432831185312278, i32 2, i32 2, i32 0, i32 0, i8* bitcast ([2 x { i8*, i8*, i64, i64, i32, i32, i8* }]* @vais.hot.functions to i8*), i8* bitcast ([2 x { i8*, i8*, i64, i32, i32, i64, i64, i8*, i8*, i32, i32, i8*, i8* }]* @vais.hot.layouts to i8*), i32 0, i32 0, i8* bitcast ([0 x { i8*, i8*, i64, i64, i64, i8*, i8* }]* @vais.hot.new_globals to i8*) }
@vais.hot.compiler = private unnamed_addr constant [6 x i8] c"vaisc\00", align 1

declare void @vais_hot_safe_point()

declare void @vais_hot_nested_safe_point()

; Function Attrs: noinline null_pointer_is_valid uwtable
define dso_local i64 @__vais_hot_fn.update(%State* %0) #0 {
entry:
  %field = getelementptr inbounds %State, %State* %0, i32 0, i32 0
  %old = load i64, i64* %field, align 8
  %add = add i64 %old, 1
  store i64 %add, i64* %field, align 8
  %field1 = getelementptr inbounds %State, %State* %0, i32 0, i32 0
  %load = load i64, i64* %field1, align 8
  ret i64 %load
}

; Function Attrs: noinline null_pointer_is_valid uwtable
define dso_local i64 @__vais_hot_fn.twice(%State* %0) #0 {
entry:
  %body.i = load atomic i8*, i8** getelementptr inbounds ([2 x i8*], [2 x i8*]* @__vais_hot_table, i64 0, i64 0) acquire, align 8
  %fn.i = bitcast i8* %body.i to i64 (%State*)*
  %r.i = call i64 %fn.i(%State* %0)
  %body.i2 = load atomic i8*, i8** getelementptr inbounds ([2 x i8*], [2 x i8*]* @__vais_hot_table, i64 0, i64 0) acquire, align 8
  %fn.i3 = bitcast i8* %body.i2 to i64 (%State*)*
  %r.i4 = call i64 %fn.i3(%State* %0)
  %add = add i64 %r.i, %r.i4
  ret i64 %add
}

; Function Attrs: uwtable
define internal i64 @run(i64 (%State*)* %0, %State* %1) #1 {
entry:
  %call = call i64 %0(%State* %1)
  ret i64 %call
}

; Function Attrs: uwtable
define internal i64 @vais_main() #1 {
entry:
  %layout.slot = alloca i64, align 8
  %layout.start = load i64, i64* @__vais_hot_offset.State.frame, align 8
  store i64 %layout.start, i64* %layout.slot, align 8
  %layout = load i64, i64* %layout.slot, align 8
  %at = getelementptr inbounds i8, i8* bitcast ({ %State, %State, [64 x i8] }* @__vais_hot_local.main.s.0 to i8*), i64 %layout
  %typed = bitcast i8* %at to i64*
  store i64 0, i64* %typed, align 8
  %waiting = load atomic i32, i32* @__vais_hot_pending acquire, align 4
  %waiting1 = icmp ne i32 %waiting, 0
  br i1 %waiting1, label %safe_point, label %call

safe_point:                                       ; preds = %entry
  call void @vais_hot_safe_point()
  %layout.after = load i64, i64* @__vais_hot_offset.State.frame, align 8
  store i64 %layout.after, i64* %layout.slot, align 8
  br label %call

call:                                             ; preds = %safe_point, %entry
  %body.i = load atomic i8*, i8** getelementptr inbounds ([2 x i8*], [2 x i8*]* @__vais_hot_table, i64 0, i64 1) acquire, align 8
  %fn.i = bitcast i8* %body.i to i64 (%State*)*
  %r.i = call i64 %fn.i(%State* getelementptr inbounds ({ %State, %State, [64 x i8] }, { %State, %State, [64 x i8] }* @__vais_hot_local.main.s.0, i32 0, i32 0))
  %layout.after4 = load i64, i64* @__vais_hot_offset.State.frame, align 8
  store i64 %layout.after4, i64* %layout.slot, align 8
  %call3 = call i64 @run(i64 (%State*)* @__vais_hot_entry.update, %State* getelementptr inbounds ({ %State, %State, [64 x i8] }, { %State, %State, [64 x i8] }* @__vais_hot_local.main.s.0, i32 0, i32 0))
  %layout.after5 = load i64, i64* @__vais_hot_offset.State.frame, align 8
  store i64 %layout.after5, i64* %layout.slot, align 8
  %add = add i64 %r.i, %call3
  ret i64 %add
}

; Function Attrs: uwtable
define i32 @main(i32 %0, i8** %1) #1 {
entry:
  call void @vais_hot_runtime_init(i8* bitcast ({ i32, i32, i64, i32, i32, i32, i32, i8*, i8*, i32, i32, i8* }* @__vais_hot_manifest to i8*), i8** getelementptr inbounds ([2 x i8*], [2 x i8*]* @__vais_hot_table, i32 0, i32 0), i8* getelementptr inbounds ([6 x i8], [6 x i8]* @vais.hot.compiler, i32 0, i32 0))
  store i32 %0, i32* @vais_argc, align 4
  store i8** %1, i8*** @vais_argv, align 8
  %status = call i64 @vais_main()
  %exit = trunc i64 %status to i32
  ret i32 %exit
}

; Function Attrs: alwaysinline uwtable
define i64 @__vais_hot_entry.update(%State* %0) #2 {
entry:
  %body = load atomic i8*, i8** getelementptr inbounds ([2 x i8*], [2 x i8*]* @__vais_hot_table, i64 0, i64 0) acquire, align 8
  %fn = bitcast i8* %body to i64 (%State*)*
  %r = tail call i64 %fn(%State* %0)
  ret i64 %r
}

; Function Attrs: alwaysinline uwtable
define i64 @__vais_hot_entry.twice(%State* %0) #2 {
entry:
  %body = load atomic i8*, i8** getelementptr inbounds ([2 x i8*], [2 x i8*]* @__vais_hot_table, i64 0, i64 1) acquire, align 8
  %fn = bitcast i8* %body to i64 (%State*)*
  %r = tail call i64 %fn(%State* %0)
  ret i64 %r
}

declare void @vais_hot_runtime_init(i8*, i8**, i8*)

attributes #0 = { noinline null_pointer_is_valid uwtable "disable-tail-calls"="true" }
attributes #1 = { uwtable }
attributes #2 = { alwaysinline uwtable }
