; ModuleID = 'vais'
source_filename = "vais"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@__vais_hot_table = external global [1 x i8*]
@vais.hot.name = private constant [6 x i8] c"setup\00"
@vais.hot.name.1 = private constant [10 x i8] c"() -> i64\00"
@vais.hot.functions = private constant [1 x { i8*, i8*, i64, i64, i32, i32, i8* }] [{ i8*, i8*, i64, i64, i32, i32, i8* } { i8* getelementptr inbounds ([6 x i8], [6 x i8]* @vais.hot.name, i32 0, i32 0), i8* getelementptr inbounds ([10 x i8], [10 x i8]* @vais.hot.name.1, i32 0, i32 0), i64 -2561735692631554984, i64 -8578232187613912921, i32 0, i32 0, i8* bitcast (i64 ()* @__vais_hot_body.setup to i8*) }]
@vais.hot.layouts = private constant [0 x { i8*, i8*, i64, i32, i32, i64, i64, i8*, i8*, i32, i32, i8*, i8* }] zeroinitializer
@vais.hot.new_globals = private constant [0 x { i8*, i8*, i64, i64, i64, i8*, i8* }] zeroinitializer
@__vais_hot_manifest = protected constant { i32, i32, i64, i32, i32, i32, i32, i8*, i8*, i32, i32, i8* } { i32 6, i32 1, i64 2087432831185312278, i32 1, i32 0, i32 2, i32 0, i8* bitcast ([1 x { i8*, i8*, i64, i64, i32, i32, i8* }]* @vais.hot.functions to i8*), i8* bitcast ([0 x { i8*, i8*, i64, i32, i32, i64, i64, i8*, i8*, i32, i32, i8*, i8* }]* @vais.hot.layouts to i8*), i32 0, i32 0, i8* bitcast ([0 x { i8*, i8*, i64, i64, i64, i8*, i8* }]* @vais.hot.new_globals to i8*) }

declare i64 @vais_hot_on_reload(void (i64)*)

; Function Attrs: null_pointer_is_valid uwtable
define internal void @note(i64 %0) #0 {
entry:
  %add = add i64 %0, 1
  ret void
}

; Function Attrs: noinline null_pointer_is_valid uwtable
define protected i64 @__vais_hot_body.setup() #1 {
entry:
  %call = call i64 @vais_hot_on_reload(void (i64)* @note)
  ret i64 %call
}

attributes #0 = { null_pointer_is_valid uwtable "disable-tail-calls"="true" }
attributes #1 = { noinline null_pointer_is_valid uwtable "disable-tail-calls"="true" }
